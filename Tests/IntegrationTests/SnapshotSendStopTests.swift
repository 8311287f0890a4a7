import Foundation
import Testing

/// A leader told to stop while it sends a snapshot ends the send, removes its copy of the backend and
/// exits cleanly, however long the follower would take to read it.
@Suite(.serialized) struct SnapshotSendStopTests {
    /// 24 MB of values: more than the loopback socket buffers of both ends hold, so a send to a paused
    /// follower cannot finish.
    static let keys = 2_400
    static let value = String(repeating: "s", count: 10_000)

    @Test func aLeaderStoppedDuringASnapshotSendRemovesItsCopyAndExits() async throws {
        let (cluster, clients, leader, follower) = try await SnapshotInstallTests.threeMembers()
        let snapDirectory = "\(leader.dataDirectory)/member/snap"
        let process = try #require(cluster.process(leader.name))
        // On a busy machine the send may end before this task next looks: then the follower missed more
        // writes once again, for another send.
        var caught: MemberProcess?
        var finishedBefore = 0
        for attempt in 1...3 where caught == nil {
            cluster.kill(follower.name)
            try await clients.putMany(Self.keys, prefix: "big\(attempt)/", port: leader.clientPort, perTxn: 8, value: Self.value)
            finishedBefore = Self.finishedSends(in: process.log)
            let restarted = try cluster.start(follower.name)
            let deadline = ContinuousClock.now + .seconds(30)
            while caught == nil, Self.finishedSends(in: process.log) == finishedBefore {
                if try !Self.sendCopies(in: snapDirectory).isEmpty {
                    try await restarted.pause()
                    caught = restarted
                    break
                }
                guard ContinuousClock.now < deadline else {
                    throw SnapshotInstallTests.Unexpected(what: "the leader never began a snapshot send; logs:\n\(cluster.logs)")
                }
                try await Task.sleep(for: .milliseconds(2))
            }
        }
        let restarted = try #require(caught, "three snapshot sends ended before the test could pause their receiver")
        // Give the send time to fill the socket buffers and block on the paused follower.
        try await Task.sleep(for: .seconds(1))
        #expect(try !Self.sendCopies(in: snapDirectory).isEmpty, "the send is still under way")

        let status = try await process.terminate(within: .seconds(20))
        #expect(status == 0, "the leader exits cleanly")
        #expect(process.log.contains("member stopped"), "the member's stop ran to its end")
        #expect(process.log.contains("failed to send database snapshot"), "the stop ended the send")
        #expect(Self.finishedSends(in: process.log) == finishedBefore, "the send never finished")
        #expect(try Self.sendCopies(in: snapDirectory).isEmpty, "no copy of the backend is left behind")
        try await restarted.resume()
        await clients.close()
    }

    /// How many snapshot sends the leader's log reports as finished.
    private static func finishedSends(in log: String) -> Int {
        log.components(separatedBy: "sent database snapshot").count - 1
    }

    private static func sendCopies(in directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("send-") }
    }
}
