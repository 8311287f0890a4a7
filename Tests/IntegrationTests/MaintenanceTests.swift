import Backend
import Crypto
import EtcdProto
import Foundation
import Glibc
import GRPCCore
import Lease
import MVCC
import Testing

/// Defragmentation, snapshot streaming and auto-compaction on real member processes.
@Suite(.serialized) struct MaintenanceTests {
    @Test func defragmentUnderConcurrentWritesLosesNothing() async throws {
        let member = try MemberProcess()
        try await member.waitUntilServing()
        let port = member.clientPort
        let clients = try EndpointClients(ports: [port])
        let value = String(repeating: "v", count: 1_000)
        for index in 0..<3_000 { try await clients.put("base/\(index)", value, port: port, timeout: .seconds(20)) }
        var delete = Etcdserverpb_DeleteRangeRequest()
        delete.key = Data("base/1".utf8)
        delete.rangeEnd = Data("base/3".utf8)
        _ = try await clients.kv(port).deleteRange(delete)
        let revision = try await clients.read(prefix: "base/", port: port).revision
        var compaction = Etcdserverpb_CompactionRequest()
        compaction.revision = revision
        compaction.physical = true
        _ = try await clients.kv(port).compact(compaction)
        for index in 0..<10 { try await clients.put("fixed/\(index)", value, port: port) }
        let fixed = try await clients.read(prefix: "fixed/", port: port).revision
        let before = try await self.hashKV(clients, port: port, revision: fixed)
        let sizeBefore = try await clients.maintenance(port).status(Etcdserverpb_StatusRequest()).dbSize

        let writer = LoadWriter(clients: clients, ports: [port])
        writer.start(writers: 4)
        try await writer.waitFor(more: 100)
        for _ in 0..<3 {
            _ = try await clients.maintenance(port).defragment(Etcdserverpb_DefragmentRequest())
            try await writer.waitFor(more: 50)
        }
        await writer.stop()

        #expect(try await self.hashKV(clients, port: port, revision: fixed) == before, "the history up to \(fixed) is unchanged")
        let sizeAfter = try await clients.maintenance(port).status(Etcdserverpb_StatusRequest()).dbSize
        #expect(sizeAfter < sizeBefore, "defragmented: \(sizeBefore) -> \(sizeAfter)")
        let stored = try await clients.read(prefix: LoadWriter.prefix, port: port, serializable: false).values
        #expect(stored == writer.writes, "every put acknowledged during the defragmentations is stored")
        let metrics = try await RawHTTP.get(port: port, "/metrics").body
        #expect(metrics.contains("etcd_disk_backend_defrag_duration_seconds_count 3"))
        #expect(metrics.contains("etcd_disk_defrag_inflight 0"))
        await clients.close()
    }

    @Test func etcdctlSnapshotSaveVerifiesAndOurRestoreHoldsEveryKey() async throws {
        let member = try MemberProcess()
        try await member.waitUntilServing()
        let port = member.clientPort
        let clients = try EndpointClients(ports: [port])
        var expected: [String: String] = [:]
        for index in 0..<2_000 {
            expected["snap/\(index)"] = "value-\(index)-" + String(repeating: "x", count: index % 300)
            try await clients.put("snap/\(index)", expected["snap/\(index)"]!, port: port, timeout: .seconds(20))
        }
        let revisionBefore = try await clients.read(prefix: "snap/", port: port, serializable: false).revision
        let writer = LoadWriter(clients: clients, ports: [port])
        writer.start(writers: 2)
        try await writer.waitFor(more: 20)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("etcd-swift-snapshot-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let saved = try await Etcdctl.run(["127.0.0.1:\(port)"], ["snapshot", "save", "\(directory)/backup.db"], timeout: "60s")
        await writer.stop()
        #expect(saved.status == 0 && saved.standardOutput == "Snapshot saved at \(directory)/backup.db\n", "\(saved)")

        let file = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/backup.db"))
        #expect(file.count % 4_096 == 32, "a whole number of pages and the 32-byte SHA-256 etcdctl restore looks for")
        let database = file.prefix(file.count - 32)
        #expect(Data(SHA256.hash(data: database)) == file.suffix(32), "the trailer is the SHA-256 of the database")

        let restored = try await ProcessRunner.run(
            Binaries.etcdctl, ["snapshot", "restore", "\(directory)/backup.db", "--data-dir", "\(directory)/restored"]
        )
        #expect(restored.status == 0, "\(restored.standardError)")
        let backend = try Backend(configuration: BackendConfiguration(path: "\(directory)/restored/member/snap/db"))
        let store = try KVStore(backend: backend, leases: try LeaseIndex(backend: backend))
        #expect(store.currentRevision >= revisionBefore)
        var range = Etcdserverpb_RangeRequest()
        range.key = Data("snap/".utf8)
        range.rangeEnd = Data("snap0".utf8)
        let found = try KVApplier(store: store).range(range).kvs
        let read = Dictionary(uniqueKeysWithValues: found.map { (String(decoding: $0.key, as: UTF8.self), String(decoding: $0.value, as: UTF8.self)) })
        #expect(read == expected, "every key written before the snapshot, with its value")
        range.key = Data(LoadWriter.prefix.utf8)
        range.rangeEnd = Data("load0".utf8)
        let acknowledged = writer.writes
        for kv in try KVApplier(store: store).range(range).kvs {
            #expect(acknowledged[String(decoding: kv.key, as: UTF8.self)] == String(decoding: kv.value, as: UTF8.self))
        }
        let restoredRevision = store.currentRevision
        store.close()
        backend.close()

        let status = try await Etcdctl.run([], ["snapshot", "status", "\(directory)/backup.db", "-w", "json"])
        #expect(status.status == 0 && status.standardOutput.contains("\"revision\":\(restoredRevision),"), "Go reads our snapshot: \(status)")
        await clients.close()
    }

    /// Go's client sends a PING for each burst of a large download (to size its window); NIOHTTP2's default
    /// flood guard took them for an attack and ended the stream. A client that dies mid-stream must not keep
    /// the snapshot's writes waiting either, or the member never stops.
    @Test func goEtcdctlSavesALargeSnapshotAndAnAbandonedOneLetsTheMemberStop() async throws {
        let member = try MemberProcess(arguments: ["--quota-backend-bytes", "4294967296"])
        try await member.waitUntilServing()
        let port = member.clientPort
        let clients = try EndpointClients(ports: [port])
        try await clients.fill(prefix: "large/", count: 1_600, value: String(repeating: "v", count: 128 * 1024), port: port)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("etcd-swift-large-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let saved = try await Etcdctl.run(["127.0.0.1:\(port)"], ["snapshot", "save", "\(directory)/large.db"], timeout: "120s")
        #expect(saved.status == 0, "\(saved)")
        let size = (try FileManager.default.attributesOfItem(atPath: "\(directory)/large.db")[.size] as? Int) ?? 0
        #expect(size > 200_000_000, "the whole database: \(size) bytes")

        let abandoned = try BackgroundProgram(
            try Binaries.system("etcdctl"),
            ["--endpoints=127.0.0.1:\(port)", "snapshot", "save", "\(directory)/abandoned.db"],
            environment: ["ETCDCTL_API": "3", "PATH": "/usr/bin:/bin"]
        )
        for _ in 0..<200 {
            let part = (try? FileManager.default.attributesOfItem(atPath: "\(directory)/abandoned.db.part")[.size] as? Int) ?? 0
            if part > 1_000_000 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        abandoned.stop(signal: SIGKILL)
        await clients.close()
        _ = try await member.terminate(within: .seconds(20))
    }

    @Test func periodicAutoCompactionKeepsTheRetainedHistory() async throws {
        let member = try MemberProcess(arguments: ["--auto-compaction-mode", "periodic", "--auto-compaction-retention", "1s"])
        try await member.waitUntilServing()
        let port = member.clientPort
        let clients = try EndpointClients(ports: [port])
        try await clients.put("periodic", "first", port: port, timeout: .seconds(20))
        let first = try await clients.read(prefix: "periodic", port: port).revision
        let deadline = ContinuousClock.now + .seconds(15)
        var compacted = false
        while !compacted && ContinuousClock.now < deadline {
            try await clients.put("periodic", "next", port: port)
            try await Task.sleep(for: .milliseconds(200))
            var range = Etcdserverpb_RangeRequest()
            range.key = Data("periodic".utf8)
            range.revision = first
            do {
                _ = try await clients.kv(port).range(range)
            } catch let error as RPCError where error.message == "etcdserver: mvcc: required revision has been compacted" {
                compacted = true
            }
        }
        #expect(compacted, "revision \(first) was compacted within 15 s with a 1 s retention")
        #expect(member.log.contains("completed auto periodic compaction"))
        let latest = try await clients.read(prefix: "periodic", port: port).values
        #expect(latest == ["periodic": "next"])
        await clients.close()
    }

    private func hashKV(_ clients: EndpointClients, port: Int, revision: Int64) async throws -> UInt32 {
        var request = Etcdserverpb_HashKVRequest()
        request.revision = revision
        return try await clients.maintenance(port).hashKV(request).hash
    }
}
