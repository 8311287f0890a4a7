import Foundation
import ProcessTestSupport
import Testing

/// The dashboards of `grafana/` against a real Prometheus scraping a live three-member cluster and the backup
/// service: every panel's every query, with the dashboard's variables filled in, answers with data (Grafana
/// itself is not installed here, so its queries go to Prometheus' HTTP API as Grafana would send them). Each
/// dashboard has a stable uid and no numeric ids, and every panel a unit and a description.
@Suite(.serialized) struct GrafanaDashboardTests {
    @Test func dashboardsAreWellFormed() throws {
        for (name, uid) in [("etcd-cluster.json", "etcd-cluster"), ("etcd-backup.json", "etcd-backup")] {
            let dashboard = try DashboardQueries.dashboard(name)
            #expect(dashboard["uid"] as? String == uid)
            #expect(dashboard["id"] == nil, "\(name) has a numeric id")
            for panel in DashboardQueries.panels(dashboard) {
                let title = panel["title"] as? String ?? "?"
                #expect(panel["id"] == nil, "\(name): \(title) has a numeric id")
                #expect((panel["description"] as? String)?.isEmpty == false, "\(name): \(title) has no description")
                let unit = ((panel["fieldConfig"] as? [String: Any])?["defaults"] as? [String: Any])?["unit"] as? String
                #expect(unit?.isEmpty == false, "\(name): \(title) has no unit")
            }
        }
    }

    @Test func everyPanelsQueryAnswersFromALiveClusterAndBackupService() async throws {
        let cluster = try TestCluster(size: 3, extraArguments: ["--heartbeat-interval", "50", "--election-timeout", "500"])
        try cluster.startAll()
        try await cluster.waitUntilServing()
        let backups = try Scratch()
        let metricsPort = try FreePort.next()
        let service = try BackgroundProgram(
            Binaries.etcdOps,
            [
                "backup", "--endpoints", cluster.endpoints.joined(separator: ","), "--dir", backups.path, "--schedule", "* * * * *",
                "--listen-metrics", "http://127.0.0.1:\(metricsPort)",
            ],
            environment: ["PATH": "/usr/bin:/bin"]
        )
        let etcdctl = try Binaries.system("etcdctl")
        for index in 0..<20 {
            _ = try await ProcessRunner.run(etcdctl, ["--endpoints=\(cluster.endpoints[0])", "put", "key\(index)", "value"], environment: ["ETCDCTL_API": "3"])
        }
        _ = try await ProcessRunner.run(etcdctl, ["--endpoints=\(cluster.endpoints[1])", "lease", "grant", "600"], environment: ["ETCDCTL_API": "3"])
        let prometheus = try PrometheusServer(targets: cluster.endpoints, jobs: [("etcd-backup", ["127.0.0.1:\(metricsPort)"])])

        // The service backs up at the next whole minute; the rates need a minute of scrapes.
        let deadline = ContinuousClock.now + .seconds(120)
        var backedUp = false
        while ContinuousClock.now < deadline, !backedUp {
            try await Task.sleep(for: .seconds(2))
            // Prometheus answers 503 until it has started.
            backedUp = (try? await prometheus.query("etcd_ops_backup_last_success_timestamp_seconds").isEmpty == false) ?? false
        }
        #expect(backedUp, "a scheduled backup succeeded and was scraped: \(service.output) \(service.errors)")
        try await Task.sleep(for: .seconds(5))

        let unanswered = try await DashboardQueries.unanswered(by: PrometheusAPI(port: prometheus.port))
        #expect(unanswered.isEmpty, "queries without data: \(unanswered)")
        service.stop(signal: SIGTERM)
    }
}
