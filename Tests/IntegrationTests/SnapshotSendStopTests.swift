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
        cluster.kill(follower.name)
        try await clients.putMany(Self.keys, prefix: "big/", port: leader.clientPort, perTxn: 8, value: Self.value)

        let snapDirectory = "\(leader.dataDirectory)/member/snap"
        let restarted = try cluster.start(follower.name)
        let deadline = ContinuousClock.now + .seconds(30)
        while try Self.sendCopies(in: snapDirectory).isEmpty {
            guard ContinuousClock.now < deadline else {
                throw SnapshotInstallTests.Unexpected(what: "the leader never began a snapshot send; logs:\n\(cluster.logs)")
            }
            try await Task.sleep(for: .milliseconds(2))
        }
        try await restarted.pause()
        // Give the send time to fill the socket buffers and block on the paused follower.
        try await Task.sleep(for: .seconds(1))
        #expect(try !Self.sendCopies(in: snapDirectory).isEmpty, "the send is still under way")

        let process = try #require(cluster.process(leader.name))
        let status = try await process.terminate(within: .seconds(20))
        #expect(status == 0, "the leader exits cleanly")
        #expect(process.log.contains("member stopped"), "the member's stop ran to its end")
        #expect(process.log.contains("failed to send database snapshot"), "the stop ended the send")
        #expect(!process.log.contains("sent database snapshot"), "the send never finished")
        #expect(try Self.sendCopies(in: snapDirectory).isEmpty, "no copy of the backend is left behind")
        try await restarted.resume()
        await clients.close()
    }

    private static func sendCopies(in directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("send-") }
    }
}
