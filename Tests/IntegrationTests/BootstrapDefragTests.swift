import EtcdProto
import Foundation
import Testing

/// `--experimental-bootstrap-defrag-threshold-megabytes`: a member restarted with it defragments its
/// backend before serving when that frees at least the threshold, and says why it skips otherwise.
@Suite(.serialized) struct BootstrapDefragTests {
    @Test func aRestartDefragmentsOnlyWhenItFreesTheThreshold() async throws {
        let cluster = try TestCluster(size: 1)
        try cluster.startAll()
        try await cluster.waitUntilServing()
        let port = cluster.seat("m1").clientPort
        let clients = try EndpointClients(ports: [port])
        let value = String(repeating: "v", count: 1_000)
        for index in 0..<3_000 { try await clients.put("bulk/\(index)", value, port: port, timeout: .seconds(20)) }
        try await clients.put("kept", "yes", port: port)
        var delete = Etcdserverpb_DeleteRangeRequest()
        delete.key = Data("bulk/".utf8)
        delete.rangeEnd = Data("bulk0".utf8)
        _ = try await clients.kv(port).deleteRange(delete)
        var compaction = Etcdserverpb_CompactionRequest()
        compaction.revision = try await clients.read(prefix: "kept", port: port).revision
        compaction.physical = true
        _ = try await clients.kv(port).compact(compaction)
        let sizeBefore = try await clients.maintenance(port).status(Etcdserverpb_StatusRequest()).dbSize
        await clients.close()

        cluster.kill("m1")
        let skipping = try cluster.start("m1", arguments: cluster.arguments(for: "m1") + ["--experimental-bootstrap-defrag-threshold-megabytes", "100000"])
        try await skipping.waitUntilServing()
        #expect(skipping.log.contains("Skipping defragmentation"))
        cluster.kill("m1")

        let defragmenting = try cluster.start("m1", arguments: cluster.arguments(for: "m1") + ["--experimental-bootstrap-defrag-threshold-megabytes", "1"])
        try await defragmenting.waitUntilServing()
        #expect(defragmenting.log.contains("finished defragmenting the backend at start"))
        let after = try EndpointClients(ports: [port])
        let sizeAfter = try await after.maintenance(port).status(Etcdserverpb_StatusRequest()).dbSize
        #expect(sizeAfter < sizeBefore / 2, "\(sizeBefore) -> \(sizeAfter)")
        #expect(try await after.read(prefix: "kept", port: port, serializable: false).values == ["kept": "yes"])
        #expect(try await after.read(prefix: "bulk/", port: port, serializable: false).values.isEmpty)
        await after.close()
    }
}
