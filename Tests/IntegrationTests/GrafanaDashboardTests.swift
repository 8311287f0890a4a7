import Foundation
import Testing

/// The dashboards of `grafana/` against a real Prometheus scraping a live three-member cluster and the backup
/// service: every panel's every query, with the dashboard's variables filled in, answers with data (Grafana
/// itself is not installed here, so its queries go to Prometheus' HTTP API as Grafana would send them). Each
/// dashboard has a stable uid and no numeric ids, and every panel a unit and a description.
@Suite(.serialized) struct GrafanaDashboardTests {
    private static let directory = PrometheusServer.repositoryRoot.appendingPathComponent("grafana/dashboards")

    private static func dashboard(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: Self.directory.appendingPathComponent(name))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    private static func panels(_ dashboard: [String: Any]) -> [[String: Any]] {
        dashboard["panels"] as? [[String: Any]] ?? []
    }

    @Test func dashboardsAreWellFormed() throws {
        for (name, uid) in [("etcd-cluster.json", "etcd-cluster"), ("etcd-backup.json", "etcd-backup")] {
            let dashboard = try Self.dashboard(name)
            #expect(dashboard["uid"] as? String == uid)
            #expect(dashboard["id"] == nil, "\(name) has a numeric id")
            for panel in Self.panels(dashboard) {
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

        for (name, job) in [("etcd-cluster.json", "etcd"), ("etcd-backup.json", "etcd-backup")] {
            let dashboard = try Self.dashboard(name)
            let variables = (dashboard["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? []
            for variable in variables where variable["type"] as? String == "query" {
                let definition = variable["definition"] as? String ?? ""
                let metric = try #require(definition.firstMatch(of: /label_values\((.+), [a-z]+\)/)).1
                let filled = String(metric).replacingOccurrences(of: "$job", with: job)
                #expect(try await prometheus.query(filled).isEmpty == false, "\(name): variable \(variable["name"] ?? "?") finds nothing")
            }
            for panel in Self.panels(dashboard) {
                for target in panel["targets"] as? [[String: Any]] ?? [] {
                    let expression = (target["expr"] as? String ?? "")
                        .replacingOccurrences(of: "$job", with: job)
                        .replacingOccurrences(of: "$instance", with: ".*")
                        .replacingOccurrences(of: "$__rate_interval", with: "1m")
                    let answer = try await prometheus.query(expression)
                    #expect(!answer.isEmpty, "\(name): \(panel["title"] ?? "?"): \(expression) returned nothing")
                }
            }
        }
        service.stop(signal: SIGTERM)
    }
}
