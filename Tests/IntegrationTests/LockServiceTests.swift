import EtcdClient
import EtcdProto
import Foundation
import GRPCCore
import Testing

/// etcd's Lock service (v3lock) on a real member, through grpc-swift's generated client: lockers on one name
/// exclude each other in the order they came, the lock passes on when its holder unlocks or loses its lease,
/// a cancelled lock takes its key back, failures carry etcd's code and message, and the keys are clientv3's,
/// so the service, our client library's mutex and Go's etcdctl exclude one another.
@Suite(.serialized) struct LockServiceTests {
    private static func start() async throws -> (MemberProcess, EndpointClients) {
        let member = try MemberProcess()
        try await member.waitUntilServing()
        return (member, try EndpointClients(ports: [member.clientPort]))
    }

    @Test func twoLockersOnOneNameExcludeEachOtherUntilUnlock() async throws {
        let (member, clients) = try await Self.start()
        let port = member.clientPort
        try await clients.grant(0x1a, port: port)
        try await clients.grant(0x2b, port: port)
        let held = try await clients.lock("shared", lease: 0x1a, port: port)
        #expect(held.key == Data("shared/1a".utf8))
        let created = try await clients.keys(under: "shared", port: port)
        #expect(created.map(\.createRevision) == [held.header.revision], "the header is the put's")
        #expect(created.first?.lease == 0x1a)

        let again = try await clients.lock("shared", lease: 0x1a, port: port)
        #expect(again.key == held.key && again.header.revision == held.header.revision, "a holder locking again holds it")

        let second = PendingCall { try await clients.lock("shared", lease: 0x2b, port: port) }
        try await Task.sleep(for: .seconds(1))
        #expect(!second.hasFinished, "the second locker waits")
        #expect(try await clients.keys(under: "shared", port: port).map(\.key) == [held.key, Data("shared/2b".utf8)])

        let released = try await clients.unlock(held.key, port: port)
        let next = try await second.answer(within: .seconds(10))
        #expect(next.key == Data("shared/2b".utf8))
        #expect(next.header.revision == released, "the header is the read after the holder's key went")
        try await clients.unlock(next.key, port: port)
        #expect(try await clients.keys(under: "shared", port: port).isEmpty)
        await clients.close()
    }

    @Test func aRevokedLeasePassesTheLockOnAndAWaiterWhoseLeaseEndedIsTold() async throws {
        let (member, clients) = try await Self.start()
        let port = member.clientPort
        for lease: Int64 in [0x1, 0x2, 0x3] { try await clients.grant(lease, port: port) }
        _ = try await clients.lock("l", lease: 0x1, port: port)
        let second = PendingCall { try await clients.lock("l", lease: 0x2, port: port) }
        try await Task.sleep(for: .milliseconds(500))
        try await clients.revoke(0x1, port: port)
        #expect(try await second.answer(within: .seconds(10)).key == Data("l/2".utf8), "the holder's lease ended: the waiter holds it")

        let third = PendingCall { try await clients.lock("l", lease: 0x3, port: port) }
        try await Task.sleep(for: .milliseconds(500))
        try await clients.revoke(0x3, port: port)
        try await clients.unlock(Data("l/2".utf8), port: port)
        let lost = await rpcFailure { try await third.answer(within: .seconds(10)) }
        #expect(lost?.code == .unknown && lost?.message == "mutex: session is expired", "\(String(describing: lost))")
        await clients.close()
    }

    @Test func aCancelledLockDeletesItsWaitingKey() async throws {
        let (member, clients) = try await Self.start()
        let port = member.clientPort
        try await clients.grant(0xa, port: port)
        try await clients.grant(0xb, port: port)
        _ = try await clients.lock("c", lease: 0xa, port: port)
        let timedOut = await rpcFailure { try await clients.lock("c", lease: 0xb, port: port, timeout: .seconds(1)) }
        #expect(timedOut?.code == .deadlineExceeded)
        var keys: [Data] = []
        for _ in 0..<50 {
            keys = try await clients.keys(under: "c", port: port).map(\.key)
            if keys.count == 1 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(keys == [Data("c/a".utf8)], "the waiter's key went with its call")
        await clients.close()
    }

    @Test func failuresCarryEtcdsCodeAndMessageAndLeaseZeroGetsAnOrphanedLease() async throws {
        let (member, clients) = try await Self.start()
        let port = member.clientPort
        let unknownLease = await rpcFailure { try await clients.lock("f", lease: 0x99, port: port) }
        #expect(unknownLease?.code == .unknown && unknownLease?.message == "etcdserver: requested lease not found")
        let noKey = await rpcFailure { try await clients.unlock(Data(), port: port) }
        #expect(noKey?.code == .unknown && noKey?.message == "etcdserver: key is not provided")

        let held = try await clients.lock("f", lease: 0, port: port)
        let key = try #require(try await clients.keys(under: "f", port: port).first)
        #expect(held.key == Data("f/\(String(key.lease, radix: 16))".utf8), "a new lease for lease 0")
        var ttl = Etcdserverpb_LeaseTimeToLiveRequest()
        ttl.id = key.lease
        let granted = try await clients.lease(port).leaseTimeToLive(ttl)
        #expect(granted.grantedTtl == 60)
        try await Task.sleep(for: .seconds(2))
        #expect(try await clients.lease(port).leaseTimeToLive(ttl).ttl <= 58, "nobody keeps it alive")
        await clients.close()
    }

    @Test func theServiceOurMutexAndGoEtcdctlExcludeOneAnother() async throws {
        let (member, clients) = try await Self.start()
        let port = member.clientPort
        let endpoint = "127.0.0.1:\(port)"
        let client = try EtcdClient(endpoints: [endpoint])
        let session = try await Session(client: client, ttl: 10)
        let mutex = EtcdMutex(session: session, prefix: "mixed")
        try await mutex.lock()
        try await clients.grant(0x5, port: port)
        let service = PendingCall { try await clients.lock("mixed", lease: 0x5, port: port) }
        try await Task.sleep(for: .seconds(1))
        #expect(!service.hasFinished, "the service waits for the client library's holder")
        try await mutex.unlock()
        let held = try await service.answer(within: .seconds(10))
        #expect(held.key == Data("mixed/5".utf8))

        let go = try BackgroundProgram(
            try Binaries.system("etcdctl"),
            ["--endpoints=\(endpoint)", "lock", "mixed", "echo", "go-acquired"],
            environment: ["ETCDCTL_API": "3", "PATH": "/usr/bin:/bin"]
        )
        var waiting: [Mvccpb_KeyValue] = []
        for _ in 0..<100 where waiting.count < 2 {
            try await Task.sleep(for: .milliseconds(50))
            waiting = try await clients.keys(under: "mixed", port: port)
        }
        #expect(waiting.count == 2, "Go's etcdctl waits with a key of its own: \(go.errors)")
        let swift = PendingCall { try await mutex.lock() }
        try await Task.sleep(for: .seconds(1))
        #expect(!go.output.contains("go-acquired"), "Go's etcdctl waits for the service's holder")
        #expect(!swift.hasFinished, "so does our mutex")
        try await clients.unlock(held.key, port: port)
        #expect(try await go.waitForOutput(containing: "go-acquired", timeout: .seconds(10)), "Go's lock came first: \(go.errors)")
        _ = try await swift.answer(within: .seconds(10))
        try await mutex.unlock()
        try await session.close()
        await client.close()
        await clients.close()
    }
}
