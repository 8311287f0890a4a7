import EtcdProto
import Foundation
import GRPCCore
import Testing

/// `--quota-backend-bytes` on a real three-member cluster: filled until the NOSPACE alarm stops writes,
/// then recovered with etcd's runbook (compact, defrag, disarm), before and after restarting every member
/// with the alarm raised.
@Suite(.serialized) struct SpaceQuotaTests {
    static let quotaBytes = 16 * 1024 * 1024
    static let valueBytes = 100_000

    @Test func aFullQuotaRaisesNOSPACEUntilCompactDefragAndDisarm() async throws {
        let cluster = try TestCluster(size: 3, extraArguments: ["--quota-backend-bytes", "\(Self.quotaBytes)"])
        try cluster.startAll()
        try await cluster.waitUntilServing()
        let ports = cluster.seats.map(\.clientPort)
        var clients = try EndpointClients(ports: ports)

        let acknowledged = try await self.fillUntilNoSpace(clients, port: ports[0])
        #expect(acknowledged.count > 100, "16 MiB hold more than a hundred 100 kB values")
        try await self.expectAlarm("NOSPACE", onEvery: cluster)
        try await self.expectWritesRefused(cluster, clients)
        try await self.expectAllPresent(acknowledged, clients, ports: ports)
        let health = try await RawHTTP.get(port: ports[1], "/health")
        #expect(health.status == 503 && health.body == #"{"health":"false","reason":"ALARM NOSPACE"}"#)
        let status = try await Etcdctl.run([cluster.seats[2].endpoint], ["endpoint", "status", "-w", "json"])
        #expect(status.standardOutput.contains(#"alarm:NOSPACE "#), "\(status)")

        for seat in cluster.seats { _ = try await cluster.process(seat.name)?.terminate() }
        for seat in cluster.seats { try cluster.start(seat.name) }
        try await cluster.waitUntilServing()
        await clients.close()
        clients = try EndpointClients(ports: ports)
        try await self.expectAlarm("NOSPACE", onEvery: cluster)
        try await self.expectWritesRefused(cluster, clients)
        try await self.expectAllPresent(acknowledged, clients, ports: ports)

        // The put that took the file over the quota may have been applied although it was answered with the
        // no-space error (etcd's quota applier does the same).
        let refusedButApplied = try await clients.value(of: "fill/\(acknowledged.count)", port: ports[0]) == nil ? 0 : 1
        let deleted = try await Etcdctl.run([cluster.seats[0].endpoint], ["del", "fill/", "--prefix"])
        #expect(deleted.standardOutput == "\(acknowledged.count + refusedButApplied)\n", "deletes work under NOSPACE: \(deleted)")
        let revision = try await clients.read(prefix: "fill/", port: ports[0], serializable: false).revision
        let compacted = try await Etcdctl.run([cluster.seats[0].endpoint], ["compact", "\(revision)", "--physical"])
        #expect(compacted.standardOutput == "compacted revision \(revision)\n", "\(compacted)")
        let sizesBefore = try await self.dbSizes(clients, ports: ports)
        let defragmented = try await Etcdctl.run(cluster.endpoints, ["defrag"], timeout: "60s")
        for seat in cluster.seats {
            #expect(defragmented.standardOutput.contains("Finished defragmenting etcd member[\(seat.endpoint)]"), "\(defragmented)")
        }
        let sizesAfter = try await self.dbSizes(clients, ports: ports)
        for (before, after) in zip(sizesBefore, sizesAfter) {
            #expect(after < before / 4, "defrag shrinks the file: \(before) -> \(after)")
        }
        let stillRefused = try await Etcdctl.run([cluster.seats[0].endpoint], ["put", "after", "defrag"])
        #expect(stillRefused.standardError.contains("Error: etcdserver: mvcc: database space exceeded"), "the alarm still holds")
        let disarmed = try await Etcdctl.run([cluster.seats[0].endpoint], ["alarm", "disarm"])
        #expect(disarmed.standardOutput.contains("alarm:NOSPACE"), "\(disarmed)")
        for seat in cluster.seats {
            #expect(try await Etcdctl.run([seat.endpoint], ["alarm", "list"]).standardOutput == "")
        }
        #expect(try await Etcdctl.run([cluster.seats[1].endpoint], ["put", "newkey", "123"]).standardOutput == "OK\n")
        #expect(try await RawHTTP.get(port: ports[1], "/health").status == 200)
        await clients.close()
    }

    /// Puts 100 kB values until the cluster answers with etcd's no-space error; returns what it acknowledged.
    private func fillUntilNoSpace(_ clients: EndpointClients, port: Int) async throws -> [String: String] {
        var acknowledged: [String: String] = [:]
        for index in 0..<1_000 {
            let key = "fill/\(index)"
            let value = String(repeating: String(UnicodeScalar(UInt8(97 + index % 26))), count: Self.valueBytes)
            do {
                try await clients.put(key, value, port: port, timeout: .seconds(20))
                acknowledged[key] = value
            } catch let error as RPCError {
                #expect(error.code == .resourceExhausted)
                #expect(error.message == "etcdserver: mvcc: database space exceeded")
                return acknowledged
            }
        }
        Issue.record("1,000 puts of 100 kB never exceeded a 16 MiB quota")
        return acknowledged
    }

    private func expectAlarm(_ alarm: String, onEvery cluster: TestCluster) async throws {
        for seat in cluster.seats {
            let listed = try await Etcdctl.run([seat.endpoint], ["alarm", "list"])
            let lines = listed.standardOutput.split(separator: "\n")
            let expected = lines.allSatisfy { $0.hasPrefix("memberID:") && $0.hasSuffix(" alarm:\(alarm) ") }
            #expect(!lines.isEmpty && expected, "\(seat.name): \(listed)")
        }
    }

    private func expectWritesRefused(_ cluster: TestCluster, _ clients: EndpointClients) async throws {
        for seat in cluster.seats {
            let put = try await Etcdctl.run([seat.endpoint], ["put", "refused", "value"])
            #expect(put.status != 0 && put.standardError.contains("Error: etcdserver: mvcc: database space exceeded"), "\(put)")
            let grant = try await Etcdctl.run([seat.endpoint], ["lease", "grant", "60"])
            #expect(grant.standardError.contains("etcdserver: mvcc: database space exceeded"), "\(grant)")
        }
        do {
            try await clients.put("refused", "value", port: cluster.seats[0].clientPort)
            Issue.record("a put succeeded under NOSPACE")
        } catch let error as RPCError {
            #expect(error.code == .resourceExhausted && error.message == "etcdserver: mvcc: database space exceeded")
        }
    }

    /// Every acknowledged put is on every member, read one key at a time (all of them exceed a gRPC message).
    private func expectAllPresent(_ acknowledged: [String: String], _ clients: EndpointClients, ports: [Int]) async throws {
        for port in ports {
            _ = try await clients.read(prefix: "nothing/", port: port, serializable: false)
            var missing: [String] = []
            for (key, value) in acknowledged where try await clients.value(of: key, port: port) != value {
                missing.append(key)
            }
            #expect(missing.isEmpty, "member on port \(port) lost acknowledged puts: \(missing)")
        }
    }

    private func dbSizes(_ clients: EndpointClients, ports: [Int]) async throws -> [Int64] {
        var sizes: [Int64] = []
        for port in ports {
            sizes.append(try await clients.maintenance(port).status(Etcdserverpb_StatusRequest()).dbSize)
        }
        return sizes
    }
}
