import EtcdClient
import EtcdProto
import Foundation
import GRPCCore
import Synchronization
import Testing

/// etcd's Election service (v3election) on a real member, through grpc-swift's generated client: campaigns
/// wait their turn, proclamations and resignations check the leader key, `Leader` and `Observe` follow the
/// oldest candidate, a cancelled campaign withdraws, and failures carry etcd's code and message.
@Suite(.serialized) struct ElectionServiceTests {
    private static func start() async throws -> (MemberProcess, EndpointClients) {
        let member = try MemberProcess()
        try await member.waitUntilServing()
        return (member, try EndpointClients(ports: [member.clientPort]))
    }

    @Test func campaignsProclaimAndResignInTurnWhileAnObserverFollows() async throws {
        let (member, clients) = try await Self.start()
        let port = member.clientPort
        try await clients.grant(0xa1, port: port)
        try await clients.grant(0xb2, port: port)
        let observed = Mutex<[V3electionpb_LeaderResponse]>([])
        let observer = Task {
            var request = V3electionpb_LeaderRequest()
            request.name = Data("e".utf8)
            try await clients.election(port).observe(request) { response in
                for try await leader in response.messages { observed.withLock { $0.append(leader) } }
            }
        }

        let alice = try await clients.campaign("e", lease: 0xa1, value: "alice", port: port)
        #expect(alice.leader.name == Data("e".utf8) && alice.leader.key == Data("e/a1".utf8) && alice.leader.lease == 0xa1)
        #expect(alice.leader.rev == alice.header.revision, "the header is the put's")
        let bob = PendingCall { try await clients.campaign("e", lease: 0xb2, value: "bob", port: port) }
        try await Task.sleep(for: .seconds(1))
        #expect(!bob.hasFinished, "the second candidate waits")
        #expect(try await clients.leader("e", port: port).kv.value == Data("alice".utf8))

        let proclaimed = try await clients.proclaim("alice again", by: alice.leader, port: port)
        let leader = try await clients.leader("e", port: port)
        #expect(leader.kv.value == Data("alice again".utf8) && leader.kv.modRevision == proclaimed)
        var stale = alice.leader
        stale.rev += 100
        let notLeader = await rpcFailure { try await clients.proclaim("x", by: stale, port: port) }
        #expect(notLeader?.code == .unknown && notLeader?.message == "election: not leader")
        #expect(try await clients.resign(stale, port: port) == proclaimed, "a stale resignation changes nothing and is no error")

        let resigned = try await clients.resign(alice.leader, port: port)
        let elected = try await bob.answer(within: .seconds(10))
        #expect(elected.leader.key == Data("e/b2".utf8) && elected.leader.rev < resigned, "\(elected)")
        #expect(try await clients.leader("e", port: port).kv.value == Data("bob".utf8))
        try await Task.sleep(for: .milliseconds(500))
        try await clients.resign(elected.leader, port: port)
        let noLeader = await rpcFailure { try await clients.leader("e", port: port) }
        #expect(noLeader?.code == .unknown && noLeader?.message == "election: no leader")

        try await Task.sleep(for: .milliseconds(500))
        observer.cancel()
        let seen = observed.withLock { $0 }
        #expect(seen.map { String(decoding: $0.kv.value, as: UTF8.self) } == ["alice", "alice again", "bob"])
        #expect(seen.map(\.header.revision) == [alice.header.revision, proclaimed, resigned], "each header as Go's observer sends it")
        await clients.close()
    }

    @Test func aCampaignWaitsForEarlierCandidatesAndACancelledOneWithdraws() async throws {
        let (member, clients) = try await Self.start()
        let port = member.clientPort
        for lease: Int64 in [0x1, 0x2, 0x3] { try await clients.grant(lease, port: port) }
        let first = try await clients.campaign("w", lease: 0x1, value: "one", port: port)
        let timedOut = await rpcFailure { try await clients.campaign("w", lease: 0x2, value: "two", port: port, timeout: .seconds(1)) }
        #expect(timedOut?.code == .deadlineExceeded)
        var keys: [Data] = []
        for _ in 0..<50 {
            keys = try await clients.keys(under: "w", port: port).map(\.key)
            if keys.count == 1 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(keys == [Data("w/1".utf8)], "the cancelled candidate resigned")

        let third = PendingCall { try await clients.campaign("w", lease: 0x3, value: "three", port: port) }
        try await Task.sleep(for: .milliseconds(500))
        let revoked = try await clients.revoke(0x1, port: port)
        let elected = try await third.answer(within: .seconds(10))
        #expect(elected.leader.key == Data("w/3".utf8), "the leader's lease ended: the next candidate leads")
        #expect(elected.leader.rev > first.leader.rev)

        let again = try await clients.campaign("w", lease: 0x3, value: "three bis", port: port)
        #expect(again.leader.rev == elected.leader.rev && again.header.revision == revoked, "the header of the txn that found the key")
        #expect(try await clients.leader("w", port: port).kv.value == Data("three bis".utf8), "campaigning again proclaims")
        await clients.close()
    }

    @Test func failuresCarryEtcdsCodeAndMessage() async throws {
        let (member, clients) = try await Self.start()
        let port = member.clientPort
        let unknownLease = await rpcFailure { try await clients.campaign("f", lease: 0x77, value: "v", port: port) }
        #expect(unknownLease?.code == .unknown && unknownLease?.message == "etcdserver: requested lease not found")
        let missing = #""leader" field must be provided"#
        let noKey = await rpcFailure { try await clients.proclaim("v", by: nil, port: port) }
        #expect(noKey?.code == .unknown && noKey?.message == missing)
        let noResignKey = await rpcFailure { try await clients.resign(nil, port: port) }
        #expect(noResignKey?.code == .unknown && noResignKey?.message == missing)

        let orphaned = try await clients.campaign("f", lease: 0, value: "v", port: port)
        #expect(orphaned.leader.lease != 0 && orphaned.leader.key == Data("f/\(String(orphaned.leader.lease, radix: 16))".utf8))
        await clients.close()
    }

    @Test func theServiceAndOurClientLibraryTakePartInOneElection() async throws {
        let (member, clients) = try await Self.start()
        let port = member.clientPort
        let client = try EtcdClient(endpoints: ["127.0.0.1:\(port)"])
        let session = try await Session(client: client, ttl: 10)
        let election = Election(session: session, prefix: "mixed")
        try await election.campaign("swift")
        try await clients.grant(0x5, port: port)
        let service = PendingCall { try await clients.campaign("mixed", lease: 0x5, value: "service", port: port) }
        try await Task.sleep(for: .seconds(1))
        #expect(!service.hasFinished, "the service's candidate waits for the client library's leader")
        #expect(try await clients.leader("mixed", port: port).kv.value == Data("swift".utf8))
        try await election.resign()
        #expect(try await service.answer(within: .seconds(10)).leader.key == Data("mixed/5".utf8))
        #expect(try await Election.leader(prefix: "mixed", client: client).value == Data("service".utf8))
        try await session.close()
        await client.close()
        await clients.close()
    }
}
