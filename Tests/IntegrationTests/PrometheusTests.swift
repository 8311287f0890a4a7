import EtcdProto
import Foundation
import GRPCCore
import Testing

/// A real Prometheus scrapes a live three-member cluster: every metric the etcd dashboard and alert
/// rules use is there with plausible values, every alert rule evaluates, and the values follow the
/// cluster (fsyncs rise with writes, `has_leader` drops when quorum is lost).
@Suite(.serialized) struct PrometheusTests {
    static let fastCluster = ["--heartbeat-interval", "50", "--election-timeout", "500", "--metrics", "extensive"]

    /// Every series a dashboard or an alert of etcd's reads, plus the ones the telemetry issue names.
    static let requiredSeries = [
        "etcd_server_has_leader", "etcd_server_is_leader", "etcd_server_leader_changes_seen_total",
        "etcd_server_proposals_committed_total", "etcd_server_proposals_applied_total", "etcd_server_proposals_pending",
        "etcd_server_proposals_failed_total", "etcd_server_id", "etcd_server_version", "etcd_cluster_version",
        "etcd_server_quota_backend_bytes", "etcd_disk_wal_fsync_duration_seconds_bucket",
        "etcd_disk_backend_commit_duration_seconds_bucket", "etcd_mvcc_db_total_size_in_bytes",
        "etcd_mvcc_db_total_size_in_use_in_bytes", "etcd_mvcc_put_total", "etcd_mvcc_delete_total", "etcd_mvcc_range_total",
        "etcd_mvcc_txn_total", "etcd_network_peer_sent_bytes_total", "etcd_network_peer_received_bytes_total",
        "etcd_network_peer_round_trip_time_seconds_bucket", "etcd_network_client_grpc_sent_bytes_total",
        "etcd_network_client_grpc_received_bytes_total", "grpc_server_started_total", "grpc_server_handled_total",
        "grpc_server_msg_received_total", "grpc_server_msg_sent_total", "grpc_server_handling_seconds_bucket",
        "etcd_debugging_mvcc_keys_total", "etcd_debugging_mvcc_watcher_total", "etcd_debugging_lease_granted_total",
        "etcd_debugging_lease_ttl_total_bucket", "process_resident_memory_bytes", "process_cpu_seconds_total",
        "process_open_fds", "process_start_time_seconds", "up",
    ]

    @Test func prometheusFindsEveryMetricOfALiveClusterAndEvaluatesEveryRule() async throws {
        let cluster = try TestCluster(size: 3, extraArguments: Self.fastCluster)
        try cluster.startAll()
        try await cluster.waitUntilServing()
        let ports = cluster.seats.map(\.clientPort)
        let clients = try EndpointClients(ports: ports)
        let prometheus = try PrometheusServer(targets: cluster.endpoints)
        let watch = Task { try await Self.watchForever(clients, port: ports[0]) }

        let fsyncsBefore = try await Self.scrape(ports[1], "etcd_disk_wal_fsync_duration_seconds_count")
        try await Self.makeTraffic(clients, ports: ports)
        let fsyncsAfter = try await Self.scrape(ports[1], "etcd_disk_wal_fsync_duration_seconds_count")
        #expect(fsyncsAfter > fsyncsBefore + 10, "a follower's WAL fsyncs rise with writes: \(fsyncsBefore) -> \(fsyncsAfter)")

        try await Self.waitFor("every target up and scraped after the traffic", prometheus) {
            let up = try await prometheus.query("sum(up)").first?.value ?? 0
            let keys = try await prometheus.query("min(etcd_debugging_mvcc_keys_total)").first?.value ?? 0
            let watchers = try await prometheus.query("sum(etcd_debugging_mvcc_watcher_total)").first?.value ?? 0
            let probes = try await prometheus.query("sum(etcd_network_peer_round_trip_time_seconds_count)").first?.value ?? 0
            return up == 3 && keys >= 50 && watchers >= 1 && probes > 0
        }
        for name in Self.requiredSeries {
            let series = try await prometheus.query(name)
            #expect(!series.isEmpty, "Prometheus has no series \(name)")
        }
        try await self.expectPlausibleValues(prometheus)
        try await Self.waitFor("every alert rule evaluated", prometheus) { try await Self.unevaluatedRules(prometheus).isEmpty }
        let unhealthy = try await Self.unhealthyRules(prometheus)
        #expect(unhealthy.isEmpty, "alert rules failing to evaluate: \(unhealthy)")

        let leaderPort = try await Self.leaderPort(prometheus, cluster: cluster)
        for seat in cluster.seats where seat.clientPort != leaderPort { cluster.kill(seat.name) }
        try await Self.waitFor("has_leader dropping to 0 on the member left alone", prometheus) {
            try await Self.scrape(leaderPort, "etcd_server_has_leader") == 0
        }
        watch.cancel()
        _ = await watch.result
        await clients.close()
    }

    private func expectPlausibleValues(_ prometheus: PrometheusServer) async throws {
        func value(_ query: String) async throws -> Double { try await prometheus.query(query).first?.value ?? .nan }
        #expect(try await value("sum(etcd_server_has_leader)") == 3)
        #expect(try await value("sum(etcd_server_is_leader)") == 1)
        #expect(try await value("min(etcd_server_leader_changes_seen_total)") >= 1)
        #expect(try await value("min(etcd_disk_wal_fsync_duration_seconds_count)") > 0)
        #expect(try await value("min(etcd_disk_backend_commit_duration_seconds_count)") > 0)
        #expect(try await value("min(etcd_server_proposals_applied_total)") >= 50)
        #expect(try await value("min(etcd_server_proposals_committed_total - etcd_server_proposals_applied_total)") >= 0)
        #expect(try await value("min(etcd_mvcc_db_total_size_in_bytes - etcd_mvcc_db_total_size_in_use_in_bytes)") >= 0)
        #expect(try await value("min(etcd_mvcc_put_total)") >= 50)
        #expect(try await value("min(etcd_mvcc_delete_total)") >= 1)
        #expect(try await value("min(etcd_mvcc_txn_total)") >= 1)
        #expect(try await value("sum(etcd_mvcc_range_total)") >= 1)
        #expect(try await value(#"sum(grpc_server_handled_total{grpc_method="Put",grpc_code="OK"})"#) >= 50)
        #expect(try await value(#"sum(grpc_server_started_total{grpc_service="etcdserverpb.Watch",grpc_type="bidi_stream"})"#) >= 1)
        #expect(try await value(#"count(grpc_server_handled_total{grpc_method="Range"})"#) == 3 * 17, "every code pre-initialised")
        #expect(try await value(#"sum(grpc_server_handling_seconds_count{grpc_method="Put"})"#) >= 50)
        #expect(try await value("min(etcd_network_client_grpc_received_bytes_total)") > 0)
        #expect(try await value("count(etcd_network_peer_sent_bytes_total)") == 6, "each member counts its two peers")
        #expect(try await value("min(sum by (instance) (etcd_network_peer_received_bytes_total))") > 0)
        #expect(try await value("sum(etcd_debugging_lease_granted_total)") >= 3, "the grant is applied on every member")
        #expect(try await value("min(etcd_server_quota_backend_bytes)") == 2_147_483_648)
        #expect(try await value(#"count(etcd_server_version{server_version="\#(EtcdVersion.server)"})"#) == 3)
        #expect(try await value("count(count by (server_id) (etcd_server_id))") == 3)
        #expect(try await value("min(process_resident_memory_bytes)") > 1_000_000)
        #expect(try await value("min(process_open_fds)") > 5)
        #expect(try await value("min(time() - process_start_time_seconds)") >= 0)
    }

    /// Puts 50 keys through every member, then a delete, a txn, a range and a lease grant.
    private static func makeTraffic(_ clients: EndpointClients, ports: [Int]) async throws {
        for index in 0..<50 {
            try await clients.put(
                "metrics/\(index)",
                String(repeating: "v", count: 256),
                port: ports[index % ports.count],
                timeout: .seconds(15)
            )
        }
        var delete = Etcdserverpb_DeleteRangeRequest()
        delete.key = Data("metrics/0".utf8)
        _ = try await clients.kv(ports[0]).deleteRange(delete)
        var put = Etcdserverpb_PutRequest()
        put.key = Data("metrics/txn".utf8)
        var write = Etcdserverpb_RequestOp()
        write.requestPut = put
        var read = Etcdserverpb_RequestOp()
        read.requestRange.key = put.key
        var txn = Etcdserverpb_TxnRequest()
        txn.success = [write, read]
        _ = try await clients.kv(ports[0]).txn(txn)
        var range = Etcdserverpb_RangeRequest()
        range.key = Data("metrics/".utf8)
        range.rangeEnd = Data("metrics0".utf8)
        _ = try await clients.kv(ports[1]).range(range)
        var grant = Etcdserverpb_LeaseGrantRequest()
        grant.ttl = 600
        _ = try await clients.lease(ports[2]).leaseGrant(grant)
    }

    /// Keeps one watch open on the member at `port` until cancelled.
    private static func watchForever(_ clients: EndpointClients, port: Int) async throws {
        try await clients.watch(port).watch { writer in
            var create = Etcdserverpb_WatchCreateRequest()
            create.key = Data("metrics/".utf8)
            create.rangeEnd = Data("metrics0".utf8)
            var request = Etcdserverpb_WatchRequest()
            request.createRequest = create
            try await writer.write(request)
            try await Task.sleep(for: .seconds(3_600))
        } onResponse: { response in
            for try await _ in response.messages {}
        }
    }

    /// The value of the unlabelled series `name` on the member at `port`, read from its `/metrics`.
    static func scrape(_ port: Int, _ name: String) async throws -> Double {
        let response = try await RawHTTP.get(port: port, "/metrics")
        for line in response.body.split(separator: "\n") where line.hasPrefix(name + " ") {
            if let value = Double(line.dropFirst(name.count + 1)) { return value }
        }
        throw PrometheusError(description: "no \(name) in the /metrics of port \(port)")
    }

    /// The sum of every series of `name` (all its labels) on the member at `port`; 0 when it has none yet.
    static func sum(_ port: Int, _ name: String) async throws -> Double {
        let response = try await RawHTTP.get(port: port, "/metrics")
        var total = 0.0
        for line in response.body.split(separator: "\n") where line.hasPrefix(name + "{") || line.hasPrefix(name + " ") {
            total += line.split(separator: " ").last.flatMap { Double($0) } ?? 0
        }
        return total
    }

    private static func leaderPort(_ prometheus: PrometheusServer, cluster: TestCluster) async throws -> Int {
        let leaders = try await prometheus.query("etcd_server_is_leader == 1")
        guard let instance = leaders.first?.labels["instance"], let port = Int(instance.split(separator: ":").last ?? "") else {
            throw PrometheusError(description: "no leader in Prometheus: \(leaders)")
        }
        return port
    }

    private static func rules(_ prometheus: PrometheusServer) async throws -> [[String: Any]] {
        let groups = try await prometheus.api("rules")["groups"] as? [[String: Any]] ?? []
        return groups.flatMap { $0["rules"] as? [[String: Any]] ?? [] }
    }

    private static func unevaluatedRules(_ prometheus: PrometheusServer) async throws -> [String] {
        let rules = try await Self.rules(prometheus)
        if rules.isEmpty { return ["(no rules loaded)"] }
        return rules.filter { ($0["lastEvaluation"] as? String ?? "").hasPrefix("0001") }.map { $0["name"] as? String ?? "?" }
    }

    private static func unhealthyRules(_ prometheus: PrometheusServer) async throws -> [String] {
        try await Self.rules(prometheus).filter { $0["health"] as? String != "ok" }.map { rule in
            "\(rule["name"] ?? "?"): \(rule["lastError"] ?? "")"
        }
    }

    private static func waitFor(
        _ what: String,
        _ prometheus: PrometheusServer,
        timeout: Duration = .seconds(30),
        _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if (try? await condition()) == true { return }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw PrometheusError(description: "timed out waiting for \(what); Prometheus log:\n\(prometheus.log)")
    }
}
