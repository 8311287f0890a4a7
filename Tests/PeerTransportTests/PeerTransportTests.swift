import EtcdProto
import Foundation
import Logging
import PeerTransport
import Raft
import Testing

@Suite struct PeerTransportTests {
    let logger = Logger(label: "peer-test")

    /// Runs `transports` for the duration of `body`, then cancels them.
    private func running(_ transports: [PeerTransport], _ body: () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for transport in transports { group.addTask { try await transport.run() } }
            for transport in transports {
                while transport.boundAddresses.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
            }
            try await body()
            group.cancelAll()
            try await group.waitForAll()
        }
    }

    private func makeTransport(cluster: UInt64 = 1, member: UInt64, delegate: TestDelegate) -> PeerTransport {
        PeerTransport(
            identity: PeerIdentity(clusterID: cluster, memberID: member, serverVersion: "test"),
            listenAddresses: [PeerAddress(host: "127.0.0.1", port: 0)],
            delegate: delegate,
            logger: self.logger
        )
    }

    private func url(_ transport: PeerTransport) -> String {
        "http://127.0.0.1:\(transport.boundAddresses[0].port)"
    }

    @Test func messagesArriveInOrderWithEveryField() async throws {
        let aDelegate = TestDelegate()
        let bDelegate = TestDelegate()
        let a = makeTransport(member: 1, delegate: aDelegate)
        let b = makeTransport(member: 2, delegate: bDelegate)
        try await running([a, b]) {
            try a.addPeer(2, urls: [url(b)])
            let snapshot = Snapshot(metadata: SnapshotMetadata(index: 9, term: 2, confState: ConfState(voters: [1, 2], learners: [3])), data: [7])
            var sent: [Raft.Message] = []
            for index in 1...500 {
                sent.append(
                    Raft.Message(
                        type: .append, to: 2, from: 1, term: 3, logTerm: 2, index: UInt64(index),
                        entries: [Entry(term: 3, index: UInt64(index) + 1, kind: index % 7 == 0 ? .confChange : .normal, data: Array("v\(index)".utf8))],
                        commit: UInt64(index), snapshot: index == 250 ? snapshot : nil, reject: index % 2 == 0,
                        rejectHint: UInt64(index * 3), context: index % 5 == 0 ? [1, 2, 3] : []
                    )
                )
            }
            for chunk in stride(from: 0, to: sent.count, by: 50) { a.send(Array(sent[chunk..<chunk + 50])) }
            #expect(try await bDelegate.waitUntil { bDelegate.received.withLock { $0.count } == 500 })
            #expect(bDelegate.received.withLock { $0 } == sent)
        }
    }

    @Test func aPeerOfAnotherClusterIsRefused() async throws {
        let aDelegate = TestDelegate()
        let bDelegate = TestDelegate()
        let a = makeTransport(cluster: 1, member: 1, delegate: aDelegate)
        let b = makeTransport(cluster: 2, member: 2, delegate: bDelegate)
        try await running([a, b]) {
            try a.addPeer(2, urls: [url(b)])
            a.send([Raft.Message(type: .heartbeat, to: 2, from: 1, term: 1)])
            #expect(try await aDelegate.waitUntil { aDelegate.unreachablePeers.withLock { $0.contains(2) } })
            try await Task.sleep(for: .milliseconds(200))
            #expect(bDelegate.received.withLock { $0 }.isEmpty)
        }
    }

    @Test func aMessageFromAnotherMemberThanTheStreamsIsRefused() async throws {
        let aDelegate = TestDelegate()
        let bDelegate = TestDelegate()
        let a = makeTransport(member: 1, delegate: aDelegate)
        let b = makeTransport(member: 2, delegate: bDelegate)
        try await running([a, b]) {
            try a.addPeer(2, urls: [url(b)])
            a.send([Raft.Message(type: .heartbeat, to: 2, from: 3, term: 7)])
            // The refusal may close the stream under later messages; the sender reconnects.
            let deadline = ContinuousClock.now + .seconds(10)
            while !bDelegate.received.withLock({ $0.contains { $0.from == 1 } }), ContinuousClock.now < deadline {
                a.send([Raft.Message(type: .heartbeat, to: 2, from: 1, term: 1)])
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(bDelegate.received.withLock { $0 }.allSatisfy { $0.from == 1 }, "member 1's stream carries only member 1's messages")
        }
    }

    @Test func aRemovedMemberLearnsItWasRemoved() async throws {
        let aDelegate = TestDelegate()
        let bDelegate = TestDelegate(removedMembers: [1])
        let a = makeTransport(member: 1, delegate: aDelegate)
        let b = makeTransport(member: 2, delegate: bDelegate)
        try await running([a, b]) {
            try a.addPeer(2, urls: [url(b)])
            a.send([Raft.Message(type: .heartbeatResponse, to: 2, from: 1, term: 1)])
            #expect(try await aDelegate.waitUntil { aDelegate.removedCalls.withLock { $0 } == 1 })
            #expect(bDelegate.received.withLock { $0 }.isEmpty)
        }
    }

    @Test func anUnreachablePeerIsReportedAndItsQueueStaysBounded() async throws {
        let delegate = TestDelegate()
        var configuration = PeerTransportConfiguration()
        configuration.maxQueuedBatchesPerPeer = 4
        let a = PeerTransport(
            identity: PeerIdentity(clusterID: 1, memberID: 1, serverVersion: "test"),
            listenAddresses: [PeerAddress(host: "127.0.0.1", port: 0)],
            delegate: delegate,
            configuration: configuration,
            logger: self.logger
        )
        try await running([a]) {
            try a.addPeer(2, urls: ["http://127.0.0.1:1"])
            for _ in 0..<20 { a.send([Raft.Message(type: .heartbeat, to: 2, from: 1)]) }
            #expect(try await delegate.waitUntil { delegate.unreachablePeers.withLock { $0.count } >= 10 })
        }
    }

    @Test func snapshotsTravelWithTheirDatabase() async throws {
        let aDelegate = TestDelegate()
        let bDelegate = TestDelegate()
        let a = makeTransport(member: 1, delegate: aDelegate)
        let b = makeTransport(member: 2, delegate: bDelegate)
        let database = (0..<(3 * 1024 * 1024 + 17)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("db-\(UUID().uuidString)").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(database))
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await running([a, b]) {
            try a.addPeer(2, urls: [url(b)])
            let message = Raft.Message(
                type: .snapshot, to: 2, from: 1, term: 4,
                snapshot: Snapshot(metadata: SnapshotMetadata(index: 1000, term: 4, confState: ConfState(voters: [1, 2])))
            )
            let sent = try await a.sendSnapshot(message, databasePath: path)
            #expect(sent == database.count)
            let received = try #require(bDelegate.snapshots.withLock { $0.first })
            #expect(received.0 == message)
            #expect(received.1 == database)
        }
    }

    @Test func aJoiningMemberCanAskForTheMembership() async throws {
        var members = Memberpb_ClusterMembers()
        members.clusterID = 77
        var record = Memberpb_MemberRecord()
        record.id = 2
        record.name = "b"
        record.peerUrls = ["http://b:2380"]
        members.members = [record]
        members.removed = [5]
        let b = makeTransport(cluster: 77, member: 2, delegate: TestDelegate(members: members))
        try await running([b]) {
            let query = ClusterQuery(eventLoopGroup: .singletonMultiThreadedEventLoopGroup)
            let answer = try await query.fetchMembers(
                from: [PeerAddress(host: "127.0.0.1", port: 1), b.boundAddresses[0]],
                asking: 9
            )
            #expect(answer == members)
        }
    }

    @Test func followersCanAskTheLeader() async throws {
        let a = makeTransport(member: 1, delegate: TestDelegate())
        let b = makeTransport(member: 2, delegate: TestDelegate())
        try await running([a, b]) {
            try a.addPeer(2, urls: [url(b)])
            var request = Memberpb_LeaderRequest()
            request.leaseRenew = 7
            let reply = try await a.askLeader(2, request)
            #expect(reply.ttl == 70)
        }
    }

    @Test func membersCanAskForEachOthersHashes() async throws {
        let a = makeTransport(member: 1, delegate: TestDelegate())
        let b = makeTransport(member: 2, delegate: TestDelegate())
        try await running([a, b]) {
            try a.addPeer(2, urls: [url(b)])
            var request = Etcdserverpb_HashKVRequest()
            request.revision = 6
            let reply = try await a.hashKV(of: 2, request)
            #expect(reply.response.hash == 42)
            #expect(reply.response.header.revision == 6)
            await #expect(throws: (any Error).self) { try await a.hashKV(of: 3, request) }
        }
    }
}
