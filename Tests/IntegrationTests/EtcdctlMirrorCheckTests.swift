import EtcdClient
import EtcdProto
import Foundation
import ProcessTestSupport
import Testing

/// etcdctl's long-running commands against real members: make-mirror copies a prefix page by page and then
/// replays each source revision as one transaction, leaving the destination as Go etcdctl 3.5.1's leaves it;
/// check datascale and check perf write their workload, report in etcdctl's lines, and clean up after.
@Suite(.serialized) struct EtcdctlMirrorCheckTests {
    private static let environment = ["ETCDCTL_API": "3", "PATH": "/usr/bin:/bin"]

    @Test func makeMirrorLeavesTheDestinationAsGoEtcdctlLeavesIt() async throws {
        let ours = try await self.mirrored(by: Binaries.etcdctl)
        let theirs = try await self.mirrored(by: try Binaries.go35("etcdctl"))
        #expect(ours.keys.count == 1_503)
        #expect(ours.keys == theirs.keys)
        #expect(ours.revision == theirs.revision, "one destination transaction per source revision")
        #expect(ours.keys.allSatisfy { $0.hasPrefix("m/") })
    }

    /// The destination's keys and values (with versions) and its revision after a mirror of `a/` to `m/` by
    /// `etcdctl`: a base of 1501 keys (two pages), then a put, a delete and a two-key transaction.
    private func mirrored(by etcdctl: URL) async throws -> (keys: [String], revision: Int64) {
        let source = try MemberProcess()
        let destination = try MemberProcess()
        try await source.waitUntilServing()
        try await destination.waitUntilServing()
        let sourceClient = try EtcdClient(endpoints: ["127.0.0.1:\(source.clientPort)"])
        let destinationClient = try EtcdClient(endpoints: ["127.0.0.1:\(destination.clientPort)"])
        for index in 0..<1_501 { try await sourceClient.put("a/\(index)", "v\(index)") }
        try await sourceClient.put("b/outside", "never mirrored")
        let mirror = try BackgroundProgram(
            etcdctl,
            ["--endpoints=127.0.0.1:\(source.clientPort)", "make-mirror", "--prefix", "a/", "--dest-prefix", "m/",
             "127.0.0.1:\(destination.clientPort)"],
            environment: Self.environment
        )
        try await Self.waitFor(count: 1_501, under: "m/", in: destinationClient)
        try await sourceClient.put("a/new", "fresh")
        _ = try await sourceClient.delete("a/0")
        var transaction = Etcdserverpb_TxnRequest()
        for key in ["a/t1", "a/t2"] {
            var put = Etcdserverpb_PutRequest()
            put.key = Data(key.utf8)
            put.value = Data("in one txn".utf8)
            var operation = Etcdserverpb_RequestOp()
            operation.requestPut = put
            transaction.success.append(operation)
        }
        _ = try await sourceClient.txn(transaction)
        try await Self.waitFor(count: 1_503, under: "m/", in: destinationClient)
        try await Task.sleep(for: .milliseconds(300))
        #expect(mirror.isRunning, "make-mirror runs until stopped: \(mirror.errors)")
        mirror.stop()
        let all = try await destinationClient.range(RangeRequests.from([0]))
        await sourceClient.close()
        await destinationClient.close()
        let keys = all.kvs.map { "\(String(decoding: $0.key, as: UTF8.self))=\(String(decoding: $0.value, as: UTF8.self))@\($0.version)" }
        return (keys, all.header.revision)
    }

    private static func waitFor(count: Int, under prefix: String, in client: EtcdClient) async throws {
        var request = RangeRequests.prefix(Array(prefix.utf8))
        request.countOnly = true
        for _ in 0..<400 {
            if try await client.range(request).count == count { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the destination never had \(count) keys under \(prefix)")
    }

    @Test(arguments: ["ours", "go-3.5.1"])
    func checkDatascaleMeasuresTheMemberAndCleansUp(etcdctl: String) async throws {
        let binary = etcdctl == "ours" ? Binaries.etcdctl : try Binaries.go35("etcdctl")
        let member = try MemberProcess()
        try await member.waitUntilServing()
        let result = try await ProcessRunner.run(
            binary,
            ["--endpoints=127.0.0.1:\(member.clientPort)", "check", "datascale", "--auto-compact"],
            environment: Self.environment
        )
        #expect(result.status == 0, "\(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n").map { $0.split(separator: "\r").last.map(String.init) ?? "" }
        #expect(lines.first == "Start data scale check for work load [10000 key-value pairs, 1024 bytes per key-value, 50 concurrent clients].")
        #expect(lines.contains { $0.hasPrefix(" 10000 / 10000 ") && $0.contains("100.00%") }, "\(lines)")
        #expect(lines.contains { $0.firstMatch(of: /^Compacting with revision 10002$/) != nil }, "\(lines)")
        #expect(lines.last?.firstMatch(of: /^PASS: Approximate system memory used : -?[0-9]+\.[0-9]{2} MB\.$/) != nil, "\(lines)")
        let client = try EtcdClient(endpoints: ["127.0.0.1:\(member.clientPort)"])
        #expect(try await client.get(prefix: "/etcdctl-check-datascale/").isEmpty)
        await client.close()
    }

    @Test func checkPerfWritesAtTheModelsRateAndReportsInEtcdctlsLines() async throws {
        let member = try MemberProcess()
        try await member.waitUntilServing()
        let result = try await ProcessRunner.run(
            Binaries.etcdctl,
            ["--endpoints=127.0.0.1:\(member.clientPort)", "check", "perf", "--load", "small"],
            environment: Self.environment,
            timeout: .seconds(120)
        )
        let lines = result.standardOutput.split(separator: "\n").map { $0.split(separator: "\r").last.map(String.init) ?? "" }
        #expect(lines.first?.hasPrefix(" 60 / 60 ") == true, "\(lines)")
        let throughput = lines.compactMap { $0.firstMatch(of: /^(PASS: Throughput is|FAIL: Throughput too low:) ([0-9]+) writes\/s$/) }
        #expect(throughput.count == 1)
        if let rate = throughput.first.flatMap({ Int($0.2) }) { #expect((130...160).contains(rate), "150 writes/s asked") }
        #expect(lines.contains { $0.firstMatch(of: /^(PASS: Slowest request took|Slowest request took too long:) [0-9]+\.[0-9]{6}s$/) != nil })
        #expect(lines.contains { $0.firstMatch(of: /^(PASS: Stddev is|Stddev too high:) [0-9]+\.[0-9]{6}s$/) != nil })
        #expect(lines.last == (result.status == 0 ? "PASS" : "FAIL"), "\(lines)")
        let client = try EtcdClient(endpoints: ["127.0.0.1:\(member.clientPort)"])
        #expect(try await client.get(prefix: "/etcdctl-check-perf/").isEmpty, "the check's keys are deleted")
        await client.close()
    }
}
