import Foundation
import ProcessTestSupport
import Testing

/// The monitoring side of a member: `--listen-metrics-urls`, the Kubernetes-style probes, and what
/// Prometheus' own tool says of our `/metrics` and of the configuration and rules in `prometheus/`.
@Suite(.serialized) struct MonitoringEndpointTests {
    /// The lints `promtool check metrics` raises against Go etcd's own names (counters without `_total`,
    /// gauges with it): ours must raise these and no others.
    static let lintsEtcdAlsoHas: Set<String> = [
        "etcd_debugging_lease_ttl_total", "etcd_debugging_mvcc_keys_total",
        "etcd_debugging_mvcc_slow_watcher_total", "etcd_debugging_mvcc_watch_stream_total",
        "etcd_debugging_mvcc_watcher_total", "etcd_disk_wal_write_bytes_total", "etcd_server_health_failures",
        "etcd_server_health_success", "etcd_server_proposals_applied_total", "etcd_server_proposals_committed_total",
        "etcd_server_snapshot_apply_in_progress_total", "etcd_debugging_mvcc_pending_events_total",
        "etcd_debugging_mvcc_db_compaction_pause_duration_milliseconds",
        "etcd_debugging_mvcc_db_compaction_total_duration_milliseconds",
        "etcd_debugging_mvcc_index_compaction_pause_duration_milliseconds", "etcd_server_learner_promote_successes",
    ]

    @Test func theMetricsListenerServesMetricsAndHealthOnly() async throws {
        let metricsPort = try FreePort.next()
        let member = try MemberProcess(arguments: ["--listen-metrics-urls", "http://127.0.0.1:\(metricsPort)"])
        try await member.waitUntilServing()
        let metrics = try await RawHTTP.get(port: metricsPort, "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.body.contains("# TYPE etcd_server_has_leader gauge\netcd_server_has_leader 1"))
        #expect(try await RawHTTP.get(port: metricsPort, "/health").body == #"{"health":"true","reason":""}"#)
        #expect(try await RawHTTP.get(port: metricsPort, "/livez").body == "ok\n")
        let verbose = try await RawHTTP.get(port: metricsPort, "/readyz?verbose")
        #expect(verbose.body == "[+]data_corruption ok\n[+]serializable_read ok\n[+]linearizable_read ok\n[+]non_learner ok\nok\n")
        let excluded = try await RawHTTP.get(port: metricsPort, "/readyz?verbose&exclude=linearizable_read")
        #expect(excluded.body == "[+]data_corruption ok\n[+]serializable_read ok\n[+]non_learner ok\nok\n")
        #expect(try await RawHTTP.get(port: metricsPort, "/readyz/non_learner").body == "ok\n")
        #expect(try await RawHTTP.get(port: metricsPort, "/version").status == 404, "the metrics URL serves nothing else")
        #expect(try await RawHTTP.get(port: member.clientPort, "/metrics").status == 200, "nor does it move /metrics off the client URL")
        let counted = try await RawHTTP.get(port: metricsPort, "/metrics").body
        #expect(counted.contains(#"etcd_server_healthchecks_total{name="non_learner",status="success",type="readyz"} 3"#))
    }

    @Test func promtoolAcceptsOurMetricsConfigurationAndRules() async throws {
        let promtool = try Binaries.system("promtool")
        let directory = PrometheusServer.repositoryRoot.appendingPathComponent("prometheus")
        for arguments in [
            ["check", "config", directory.appendingPathComponent("prometheus.yml").path],
            ["check", "rules", directory.appendingPathComponent("etcd-alerts.yml").path],
            ["check", "rules", directory.appendingPathComponent("etcd-backup-alerts.yml").path],
        ] {
            let result = try await ProcessRunner.run(promtool, arguments)
            #expect(result.status == 0, "promtool \(arguments.joined(separator: " ")): \(result.standardOutput)\(result.standardError)")
        }
        for file in ["tests/etcd-alerts-test.yml", "tests/etcd-backup-alerts-test.yml"] {
            let tests = try await ProcessRunner.run(promtool, ["test", "rules", directory.appendingPathComponent(file).path])
            #expect(tests.status == 0, "promtool test rules \(file): \(tests.standardOutput)\(tests.standardError)")
        }

        let member = try MemberProcess()
        try await member.waitUntilServing()
        let metrics = try await RawHTTP.get(port: member.clientPort, "/metrics").body
        let check = try await ProcessRunner.run(promtool, ["check", "metrics"], input: metrics)
        let lints = (check.standardOutput + check.standardError).split(separator: "\n").map(String.init)
        #expect(check.status == 0 || check.status == 3, "promtool could not parse /metrics: \(lints)")
        let ours = lints.filter { lint in !Self.lintsEtcdAlsoHas.contains(String(lint.prefix { $0 != " " })) }
        #expect(ours.isEmpty, "lints Go etcd does not have: \(ours)")
    }
}
