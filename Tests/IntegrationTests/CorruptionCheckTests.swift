import Backend
import EtcdProto
import Foundation
import Testing

/// `--experimental-initial-corrupt-check` and `--experimental-corrupt-check-time` against a member whose
/// data file was altered while it was stopped.
@Suite(.serialized) struct CorruptionCheckTests {
    @Test func aCorruptedMemberIsRefusedAtStartAndFlaggedByTheLeader() async throws {
        let cluster = try TestCluster(size: 3, extraArguments: ["--experimental-corrupt-check-time", "1s"])
        try cluster.startAll()
        try await cluster.waitUntilServing()
        let ports = cluster.seats.map(\.clientPort)
        let clients = try EndpointClients(ports: ports)
        for index in 0..<50 { try await clients.put("data/\(index)", "value-\(index)", port: ports[0], timeout: .seconds(20)) }
        _ = try await clients.read(prefix: "data/", port: ports[2], serializable: false)
        #expect(try await Etcdctl.run(cluster.endpoints, ["alarm", "list"]).standardOutput == "", "healthy members agree")
        _ = try await cluster.process("m3")?.terminate()
        try self.alterValue(of: "data/7", in: "\(cluster.seat("m3").dataDirectory)/member/snap/db")

        let checked = try cluster.start("m3", arguments: cluster.arguments(for: "m3") + ["--experimental-initial-corrupt-check"])
        let deadline = ContinuousClock.now + .seconds(30)
        while checked.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        #expect(checked.exitStatus.map { $0 != 0 } == true, "the member stops: \(checked.log)")
        #expect(checked.log.contains("found data inconsistency with peers"), "\(checked.log)")
        #expect(checked.log.contains("found different hash values from remote peer"))

        try cluster.start("m3")
        try await cluster.waitUntilServing()
        var listed = ""
        let alarmDeadline = ContinuousClock.now + .seconds(20)
        while !listed.contains("alarm:CORRUPT") && ContinuousClock.now < alarmDeadline {
            try await Task.sleep(for: .milliseconds(250))
            listed = try await Etcdctl.run([cluster.seat("m1").endpoint], ["alarm", "list"]).standardOutput
        }
        #expect(listed == "alarm:CORRUPT \n", "the leader raised CORRUPT for member 0: \(listed)\n\(cluster.logs)")
        let put = try await Etcdctl.run([cluster.seat("m2").endpoint], ["put", "after", "corruption"])
        #expect(put.status != 0 && put.standardError.contains("Error: etcdserver: corrupt cluster"), "\(put)")
        let get = try await Etcdctl.run([cluster.seat("m1").endpoint], ["get", "data/1", "--print-value-only"])
        #expect(get.standardOutput == "value-1\n", "reads go on")
        let ready = try await RawHTTP.get(port: ports[0], "/readyz?verbose")
        #expect(ready.status == 503 && ready.body.contains("[-]data_corruption failed: alarm activated: CORRUPT"), "\(ready)")
        let health = try await RawHTTP.get(port: ports[0], "/health")
        #expect(health.body == #"{"health":"false","reason":"ALARM CORRUPT"}"#)
        await clients.close()
    }

    /// Rewrites the value of the newest revision of `key` straight in a stopped member's data file.
    private func alterValue(of key: String, in path: String) throws {
        let backend = try Backend(configuration: BackendConfiguration(path: path))
        defer { backend.close() }
        let database = backend.database("key")
        var target: ([UInt8], Mvccpb_KeyValue)?
        let view = try backend.read()
        var decodeFailure: (any Error)?
        try view.scan(database) { revision, value in
            do {
                let kv = try Mvccpb_KeyValue(serializedBytes: Array(value))
                if kv.key == Data(key.utf8) { target = (Array(revision), kv) }
                return true
            } catch {
                decodeFailure = error
                return false
            }
        }
        view.close()
        if let decodeFailure { throw decodeFailure }
        var (revision, kv) = try #require(target)
        kv.value = Data("altered".utf8)
        try backend.writer.apply([.put(database, key: revision, value: try kv.serializedBytes())])
        try backend.writer.commit()
    }
}
