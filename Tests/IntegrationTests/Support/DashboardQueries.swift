import Foundation

/// The queries of `grafana/dashboards` as Grafana sends them to Prometheus: each dashboard's template variables
/// (`label_values(metric, label)`) and every panel's every target, with the variables filled in (`$job` by the
/// job the dashboard watches, `$instance` by every instance, `$__rate_interval` by a minute).
enum DashboardQueries {
    static let directory = PrometheusServer.repositoryRoot.appendingPathComponent("grafana/dashboards")

    /// The dashboards and the scrape job each one's `$job` stands for.
    static let dashboards = [("etcd-cluster.json", "etcd"), ("etcd-backup.json", "etcd-backup")]

    static func dashboard(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: Self.directory.appendingPathComponent(name))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw PrometheusError(description: "\(name) is not a JSON object")
        }
        return object
    }

    static func panels(_ dashboard: [String: Any]) -> [[String: Any]] {
        dashboard["panels"] as? [[String: Any]] ?? []
    }

    /// Every query of every dashboard that `prometheus` answers with no series or an error, as
    /// `dashboard: panel: query (what went wrong)`.
    static func unanswered(by prometheus: PrometheusAPI) async throws -> [String] {
        var failures: [String] = []
        for (name, job) in Self.dashboards {
            let dashboard = try Self.dashboard(name)
            var queries: [(title: String, expression: String)] = []
            let variables = (dashboard["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? []
            for variable in variables where variable["type"] as? String == "query" {
                let definition = variable["definition"] as? String ?? ""
                guard let metric = definition.firstMatch(of: /label_values\((.+), [a-z]+\)/)?.1 else {
                    failures.append("\(name): variable \(variable["name"] ?? "?"): \(definition) is not label_values(metric, label)")
                    continue
                }
                queries.append(("variable \(variable["name"] ?? "?")", String(metric)))
            }
            for panel in Self.panels(dashboard) {
                for target in panel["targets"] as? [[String: Any]] ?? [] {
                    queries.append(("\(panel["title"] ?? "?")", target["expr"] as? String ?? ""))
                }
            }
            for (title, expression) in queries {
                let filled = expression
                    .replacingOccurrences(of: "$job", with: job)
                    .replacingOccurrences(of: "$instance", with: ".*")
                    .replacingOccurrences(of: "$__rate_interval", with: "1m")
                do {
                    if try await prometheus.query(filled).isEmpty { failures.append("\(name): \(title): \(filled) (no series)") }
                } catch {
                    failures.append("\(name): \(title): \(filled) (\(error))")
                }
            }
        }
        return failures
    }
}
