import EtcdProto
import Foundation
import Testing

/// Our member's metric families against a live Go etcd 3.5's, and the values of the families that count
/// client calls, applies, compactions, watch events, snapshots, late heartbeats and slow read indexes,
/// following what clients and the cluster do.
@Suite(.serialized) struct MetricFamiliesTests {
    /// Go's families we do not export: the Go runtime's and its Prometheus client's, Go's build version,
    /// the v2 store's, the gRPC proxy's, and the rebalance and spill phases of a bbolt commit (an LMDB
    /// commit has neither).
    static let goOnlyPrefixes = [
        "go_", "promhttp_", "etcd_server_go_version", "etcd_debugging_store_", "etcd_grpc_proxy_",
        "etcd_debugging_disk_backend_commit_rebalance_duration_seconds",
        "etcd_debugging_disk_backend_commit_spill_duration_seconds",
    ]

    @Test func everyFamilyOfGoEtcd35IsExportedWithItsTypeAndHelp() async throws {
        let go = try MemberProcess(executable: try Binaries.go35("etcd"))
        let ours = try MemberProcess()
        for member in [go, ours] {
            try await member.waitUntilServing()
            let endpoint = ["127.0.0.1:\(member.clientPort)"]
            for command in [["put", "k", "1"], ["put", "k", "2"], ["get", "k"], ["del", "k"], ["compact", "3"]] {
                let result = try await Etcdctl.run(endpoint, command)
                #expect(result.status == 0, "etcdctl \(command): \(result.standardError)")
            }
        }
        let goExposition = try await Self.exposition(port: go.clientPort)
        let ourExposition = try await Self.exposition(port: ours.clientPort)
        #expect(goExposition.families.count > 50, "Go's /metrics parsed: \(goExposition.families.count) families")
        for (name, family) in goExposition.families.sorted(by: { $0.key < $1.key })
        where !Self.goOnlyPrefixes.contains(where: { name.hasPrefix($0) }) {
            let ours = ourExposition.families[name]
            #expect(ours == family, "\(name): Go has \(family), ours \(String(describing: ours))")
        }
        // The same values, written as Go writes numbers.
        for name in ["etcd_server_quota_backend_bytes", "etcd_server_has_leader", "etcd_mvcc_put_total", "etcd_debugging_mvcc_keys_total"] {
            #expect(ourExposition.samples[name] != nil && ourExposition.samples[name] == goExposition.samples[name], "\(name)")
        }
        _ = try await go.terminate()
        _ = try await ours.terminate()
    }

    @Test func callsAppliesCompactionsWatchEventsAndSnapshotsAreCounted() async throws {
        let started = Date().timeIntervalSince1970.rounded(.down)
        let member = try MemberProcess(arguments: ["--snapshot-count", "5", "--experimental-warning-apply-duration", "1ns"])
        try await member.waitUntilServing()
        let endpoint = ["127.0.0.1:\(member.clientPort)"]
        let watcher = try BackgroundProgram(
            try Binaries.system("etcdctl"),
            ["--endpoints=\(endpoint[0])", "watch", "--prefix", "w/"],
            environment: ["ETCDCTL_API": "3", "PATH": "/usr/bin:/bin"]
        )
        defer { watcher.stop() }
        try await Task.sleep(for: .milliseconds(500))
        var commands = (1...5).map { ["put", "w/\($0)", "v"] }
        commands += [["put", "c", "1"], ["put", "c", "2"], ["put", "c", "3"], ["compact", "9"]]
        for command in commands {
            let result = try await Etcdctl.run(endpoint, command)
            #expect(result.status == 0, "etcdctl \(command): \(result.standardError)")
        }
        let refused = try await Etcdctl.run(endpoint, ["put", "l", "v", "--lease=1234"])
        #expect(refused.standardError.contains("requested lease not found"))
        let delivered = try await watcher.waitForOutput(containing: "w/5", timeout: .seconds(10))
        #expect(delivered, "etcdctl watch got the events: \(watcher.output) \(watcher.errors)")

        let port = member.clientPort
        func value(_ series: String) async throws -> Double { try await PrometheusTests.scrape(port, series) }
        #expect(try await value(#"etcd_server_client_requests_total{client_api_version="3.4",type="unary"}"#) == 10)
        #expect(try await value(#"etcd_server_client_requests_total{client_api_version="3.4",type="stream"}"#) == 1)
        #expect(try await value(#"etcd_server_apply_duration_seconds_count{op="Put",success="true",version="v3"}"#) == 8)
        #expect(try await value(#"etcd_server_apply_duration_seconds_count{op="Put",success="false",version="v3"}"#) == 1)
        #expect(try await value(#"etcd_server_apply_duration_seconds_count{op="Compaction",success="true",version="v3"}"#) == 1)
        #expect(try await value("etcd_server_slow_apply_total") >= 10, "every apply is slow past 1ns")
        #expect(member.log.contains("apply request took too long"))

        #expect(try await value("etcd_debugging_mvcc_db_compaction_keys_total") == 2, "c at revisions 7 and 8 are gone")
        #expect(try await value("etcd_debugging_mvcc_index_compaction_pause_duration_milliseconds_count") >= 1)
        #expect(try await value("etcd_debugging_mvcc_db_compaction_pause_duration_milliseconds_count") >= 1)
        #expect(try await value("etcd_debugging_mvcc_db_compaction_total_duration_milliseconds_count") == 1)
        let last = try await value("etcd_debugging_mvcc_db_compaction_last")
        #expect(last >= started && last <= Date().timeIntervalSince1970, "the compaction's unix time: \(last)")

        #expect(try await value("etcd_debugging_mvcc_events_total") == 5)
        #expect(try await value("etcd_debugging_mvcc_pending_events_total") == 0)
        #expect(try await value("etcd_debugging_mvcc_range_total") == value("etcd_mvcc_range_total"))
        #expect(try await value("etcd_debugging_auth_revision") == 1)

        #expect(try await value("etcd_debugging_snap_save_total_duration_seconds_count") >= 1, "--snapshot-count 5 saved snapshots")
        #expect(try await value("etcd_debugging_snap_save_marshalling_duration_seconds_count") >= 1)
        #expect(try await value("etcd_snap_fsync_duration_seconds_count") >= 1)
        #expect(try await value("etcd_debugging_disk_backend_commit_write_duration_seconds_count") >= 1)
        _ = try await member.terminate()
    }

    @Test func aPausedLeaderCountsLateHeartbeatsAndItsFollowerSlowReadIndexes() async throws {
        let cluster = try TestCluster(size: 3, extraArguments: ["--heartbeat-interval", "100", "--election-timeout", "3000"])
        try cluster.startAll()
        try await cluster.waitUntilServing()
        let clients = try EndpointClients(ports: cluster.seats.map(\.clientPort))
        let leader = try await ClusterFailureTests().leader(of: cluster, clients: clients)
        let follower = try #require(cluster.seats.first { $0.name != leader.name })
        try await clients.put("before", "v", port: follower.clientPort)
        // A few heartbeats to each follower first: the first one after an election has none before it to be late after.
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await PrometheusTests.scrape(leader.clientPort, "etcd_server_heartbeat_send_failures_total") == 0)

        let paused = try #require(cluster.process(leader.name))
        try await paused.pause()
        // A linearizable read on the follower waits for the paused leader's read index past the 500 ms retry.
        let read = Task {
            var range = Etcdserverpb_RangeRequest()
            range.key = Data("before".utf8)
            return try await clients.kv(follower.clientPort).range(range)
        }
        try await Task.sleep(for: .milliseconds(1_200))
        try await paused.resume()
        let answer = try await read.value
        #expect(answer.kvs.first?.value == Data("v".utf8))

        let counted = try await Self.eventually {
            try await PrometheusTests.scrape(leader.clientPort, "etcd_server_heartbeat_send_failures_total") >= 1
        }
        #expect(counted, "the leader counts the heartbeats it sent late after the pause")
        #expect(paused.log.contains("leader failed to send out heartbeat on time"))
        #expect(try await PrometheusTests.scrape(follower.clientPort, "etcd_server_slow_read_indexes_total") >= 1)
        await clients.close()
    }

    /// Whether `condition` holds within five seconds, asking every 100 ms.
    static func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await condition()
    }

    /// `# HELP`, `# TYPE` and bucket bounds of every family in the `/metrics` of the member at `port`, by
    /// name, and the value of every series without labels, as written.
    static func exposition(port: Int) async throws -> (families: [String: Family], samples: [String: String]) {
        // HTTP/1.0, so that Go's server sends the body whole rather than in chunks.
        let response = try await RawHTTP.request(port: port, "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        let body = try #require(response.firstRange(of: "\r\n\r\n").map { response[$0.upperBound...] }, "a response from port \(port)")
        var help: [String: String] = [:]
        var type: [String: String] = [:]
        var bounds: [String: Set<String>] = [:]
        var samples: [String: String] = [:]
        for line in body.split(separator: "\n") {
            if line.hasPrefix("# ") {
                let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
                guard parts.count >= 3 else { continue }
                let text = parts.count == 4 ? String(parts[3]) : ""
                if parts[1] == "HELP" { help[String(parts[2])] = text } else if parts[1] == "TYPE" { type[String(parts[2])] = text }
            } else if let brace = line.firstIndex(of: "{"), line[..<brace].hasSuffix("_bucket"),
                let bound = line.firstRange(of: #"le=""#).map({ line[$0.upperBound...].prefix { $0 != "\"" } })
            {
                bounds[String(line[..<brace].dropLast("_bucket".count)), default: []].insert(String(bound))
            } else if !line.contains("{"), let space = line.firstIndex(of: " ") {
                samples[String(line[..<space])] = String(line[line.index(after: space)...])
            }
        }
        let families = type.map { name, type in
            (name, Family(type: type, help: help[name] ?? "", bucketBounds: bounds[name] ?? []))
        }
        return (Dictionary(uniqueKeysWithValues: families), samples)
    }

    struct Family: Equatable, CustomStringConvertible {
        let type: String
        let help: String
        let bucketBounds: Set<String>
        var description: String { "\(self.type) \"\(self.help)\" \(self.bucketBounds.sorted())" }
    }
}
