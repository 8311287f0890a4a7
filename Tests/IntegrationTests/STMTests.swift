import EtcdClient
import EtcdProto
import Foundation
import Synchronization
import Testing

/// The client library's STM against a real member: concurrent transactions keep an invariant and lose no
/// update, each isolation level conflicts (and retries) exactly where clientv3's does, reads of a serializable
/// attempt come from one revision, and a failing attempt commits nothing.
@Suite(.serialized) struct STMTests {
    private static func start() async throws -> (MemberProcess, EtcdClient, EtcdClient) {
        let member = try MemberProcess()
        try await member.waitUntilServing()
        let endpoint = "127.0.0.1:\(member.clientPort)"
        return (member, try EtcdClient(endpoints: [endpoint]), try EtcdClient(endpoints: [endpoint]))
    }

    private static func number(_ data: Data) -> Int {
        Int(String(decoding: data, as: UTF8.self)) ?? 0
    }

    @Test func concurrentTransfersKeepTheTotalAndLoseNoUpdate() async throws {
        let (member, client, _) = try await Self.start()
        let accounts = (0..<5).map { "account/\($0)" }
        for account in accounts { try await client.put(account, "100") }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    var generator = SystemRandomNumberGenerator()
                    for round in 0..<20 {
                        let from = accounts[(worker + round) % accounts.count]
                        let to = accounts[Int.random(in: 0..<accounts.count, using: &generator)]
                        try await client.stm { stm in
                            let amount = Int.random(in: 1...10, using: &generator)
                            let source = Self.number(try await stm.get(from))
                            let target = Self.number(try await stm.get(to))
                            let done = Self.number(try await stm.get("transfers"))
                            if from == to {
                                stm.put(from, "\(source)")
                            } else {
                                stm.put(from, "\(source - amount)")
                                stm.put(to, "\(target + amount)")
                            }
                            stm.put("transfers", "\(done + 1)")
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        var total = 0
        for account in accounts { total += Self.number(try await client.get(account)?.value ?? Data()) }
        #expect(total == 500)
        #expect(Self.number(try await client.get("transfers")?.value ?? Data()) == 80)
        await client.close()
        _ = member
    }

    @Test(arguments: [STMIsolation.serializableSnapshot, .serializable, .repeatableReads])
    func aReadKeyChangedBeforeTheCommitRunsTheAttemptAgain(isolation: STMIsolation) async throws {
        let (member, client, other) = try await Self.start()
        try await client.put("counter", "1")
        let attempts = Mutex(0)
        try await client.stm(isolation: isolation) { stm in
            let value = Self.number(try await stm.get("counter"))
            if attempts.withLock({ $0 += 1; return $0 }) == 1 { try await other.put("counter", "10") }
            stm.put("counter", "\(value + 1)")
        }
        #expect(attempts.withLock { $0 } == 2)
        #expect(try await client.get("counter")?.value == Data("11".utf8), "the other writer's update is not lost")
        await client.close()
        await other.close()
        _ = member
    }

    @Test func readCommittedNeverConflicts() async throws {
        let (member, client, other) = try await Self.start()
        try await client.put("counter", "1")
        let attempts = Mutex(0)
        try await client.stm(isolation: .readCommitted) { stm in
            let value = Self.number(try await stm.get("counter"))
            attempts.withLock { $0 += 1 }
            try await other.put("counter", "10")
            stm.put("counter", "\(value + 1)")
        }
        #expect(attempts.withLock { $0 } == 1)
        #expect(try await client.get("counter")?.value == Data("2".utf8))
        await client.close()
        await other.close()
        _ = member
    }

    @Test(arguments: [(STMIsolation.serializableSnapshot, 2), (.serializable, 1)])
    func onlyASnapshotAttemptConflictsOnAKeyItWritesWithoutReading(isolation: STMIsolation, expected: Int) async throws {
        let (member, client, other) = try await Self.start()
        try await client.put("read", "r")
        let attempts = Mutex(0)
        try await client.stm(isolation: isolation) { stm in
            _ = try await stm.get("read")
            if attempts.withLock({ $0 += 1; return $0 }) == 1 { try await other.put("written", "theirs") }
            stm.put("written", "ours")
        }
        #expect(attempts.withLock { $0 } == expected)
        #expect(try await client.get("written")?.value == Data("ours".utf8))
        await client.close()
        await other.close()
        _ = member
    }

    @Test(arguments: [(STMIsolation.serializable, "old"), (.repeatableReads, "new")])
    func aSerializableAttemptReadsEveryKeyAtItsFirstRevision(isolation: STMIsolation, expected: String) async throws {
        let (member, client, other) = try await Self.start()
        try await client.put("first", "1")
        try await client.put("second", "old")
        var seen: [String] = []
        try await client.stm(isolation: isolation) { stm in
            _ = try await stm.get("first")
            if seen.isEmpty { try await other.put("second", "new") }
            seen.append(String(decoding: try await stm.get("second"), as: UTF8.self))
            stm.put("result", "done")
        }
        #expect(seen.first == expected, "the first attempt's read")
        #expect(seen.last == "new", "the attempt that commits has read the latest value")
        await client.close()
        await other.close()
        _ = member
    }

    @Test func writesAndRevisionsAreSeenInsideTheAttemptAndAFailureCommitsNothing() async throws {
        let (member, client, _) = try await Self.start()
        let created = try await client.put("present", "p")
        struct Abort: Error {}
        await #expect(throws: Abort.self) {
            try await client.stm { stm in
                #expect(try await stm.revision(of: "present") == created)
                #expect(try await stm.revision(of: "absent") == 0)
                #expect(try await stm.get("absent").isEmpty)
                stm.put("absent", "written")
                #expect(try await stm.get("absent") == Data("written".utf8))
                stm.delete("present")
                #expect(try await stm.get("present").isEmpty)
                throw Abort()
            }
        }
        #expect(try await client.get("absent") == nil)
        #expect(try await client.get("present")?.value == Data("p".utf8))
        let committed = try await client.stm(prefetch: ["present"]) { stm in stm.delete("present") }
        #expect(committed.succeeded)
        #expect(try await client.get("present") == nil)
        await client.close()
        _ = member
    }
}
