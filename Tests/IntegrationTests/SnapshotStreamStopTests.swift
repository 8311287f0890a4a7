import EtcdProto
import Foundation
import Glibc
import Testing

/// A member told to stop (SIGTERM) while a client's `snapshot save` still reads its backend: the client is
/// paused mid-stream, so the member's copy is blocked on a full socket. The member must still stop within its
/// drain time with status 0, the client's snapshot must fail rather than look complete, and the member must
/// restart with its data unchanged.
@Suite(.serialized) struct SnapshotStreamStopTests {
    @Test func aMemberStopsCleanlyWhileASnapshotStreamIsBlocked() async throws {
        let cluster = try TestCluster(size: 1, extraArguments: ["--quota-backend-bytes", "4294967296"])
        try cluster.startAll()
        try await cluster.waitUntilServing()
        let port = cluster.seat("m1").clientPort
        let clients = try EndpointClients(ports: [port])
        try await clients.fill(prefix: "stream/", count: 400, value: String(repeating: "s", count: 128 * 1024), port: port)
        var hashRequest = Etcdserverpb_HashKVRequest()
        hashRequest.revision = 0
        let before = try await clients.maintenance(port).hashKV(hashRequest)
        await clients.close()

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("etcd-swift-stream-stop-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let snapshot = "\(directory)/blocked.db"
        let saver = try BackgroundProgram(
            try Binaries.system("etcdctl"),
            ["--endpoints=127.0.0.1:\(port)", "snapshot", "save", snapshot],
            environment: ["ETCDCTL_API": "3", "PATH": "/usr/bin:/bin"]
        )
        for _ in 0..<250 {
            let part = (try? FileManager.default.attributesOfItem(atPath: "\(snapshot).part")[.size] as? Int) ?? 0
            if part > 1_000_000 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        saver.send(SIGSTOP)
        try await Task.sleep(for: .milliseconds(300))

        let member = try #require(cluster.process("m1"))
        let stopping = ContinuousClock.now
        let status = try await member.terminate(within: .seconds(30))
        #expect(status == 0, "\(member.log.suffix(2000))")
        #expect(ContinuousClock.now - stopping < .seconds(20), "stopped after \(ContinuousClock.now - stopping)")
        saver.send(SIGCONT)
        let deadline = ContinuousClock.now + .seconds(20)
        while saver.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(saver.exitStatus.map { $0 != 0 } == true, "the cut snapshot fails: \(saver.errors)")
        #expect(!FileManager.default.fileExists(atPath: snapshot), "no complete-looking snapshot is left")

        let restarted = try cluster.start("m1")
        try await restarted.waitUntilServing()
        let again = try EndpointClients(ports: [port])
        let after = try await again.maintenance(port).hashKV(hashRequest)
        #expect(after.hash == before.hash && after.compactRevision == before.compactRevision)
        var count = Etcdserverpb_RangeRequest()
        count.key = Data("stream/".utf8)
        count.rangeEnd = Data("stream0".utf8)
        count.countOnly = true
        #expect(try await again.kv(port).range(count).count == 400)
        await again.close()
    }
}
