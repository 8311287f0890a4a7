import Foundation

/// Prometheus' HTTP API on a loopback port: a Prometheus this test process started, or one in a container
/// whose port is published on 127.0.0.1.
struct PrometheusAPI: Sendable {
    let port: Int

    /// `GET /api/v1/<path>` decoded as JSON; throws unless Prometheus answered `status: success`.
    func api(_ path: String) async throws -> [String: Any] {
        let result = try await ProcessRunner.run(
            Binaries.system("curl"),
            ["-s", "--max-time", "5", "http://127.0.0.1:\(self.port)/api/v1/\(path)"]
        )
        guard let object = try? JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any],
            object["status"] as? String == "success"
        else {
            throw PrometheusError(description: "GET /api/v1/\(path) answered \(result.standardOutput) \(result.standardError)")
        }
        return object["data"] as? [String: Any] ?? [:]
    }

    /// The samples of instant query `query`: each series' labels and value.
    func query(_ query: String) async throws -> [(labels: [String: String], value: Double)] {
        let encoded = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? query
        let data = try await self.api("query?query=\(encoded)")
        let results = data["result"] as? [[String: Any]] ?? []
        return results.map { result in
            let labels = result["metric"] as? [String: String] ?? [:]
            let value = (result["value"] as? [Any])?.last as? String
            return (labels, value.flatMap(Double.init) ?? .nan)
        }
    }

    /// The active scrape targets: each one's job, instance and health (`up`, `down`, `unknown`).
    func targets() async throws -> [(job: String, instance: String, health: String)] {
        let data = try await self.api("targets?state=active")
        return (data["activeTargets"] as? [[String: Any]] ?? []).map { target in
            let labels = target["labels"] as? [String: String] ?? [:]
            return (labels["job"] ?? "", labels["instance"] ?? "", target["health"] as? String ?? "")
        }
    }
}

/// What Prometheus' API answered when it was not `status: success`.
struct PrometheusError: Error, CustomStringConvertible {
    let description: String
}
