import Foundation
import Glibc
import ProcessTestSupport

/// A real Prometheus (Debian's `prometheus`) scraping the given targets every second and evaluating our
/// alert rules every second, with its data in a temporary directory; stopped when released.
final class PrometheusServer: Sendable {
    let port: Int
    private let process = Process()
    private let directory: URL
    private let logURL: URL

    /// Starts Prometheus with a job `etcd` scraping `targets` (`host:port`) and the rules of `prometheus/`;
    /// over HTTPS with `tls` (a CA bundle and a client certificate and key).
    /// `jobs` adds scrape jobs (name and targets) beside it, and the backup service's alert rules are loaded too.
    init(targets: [String], tls: (ca: String, cert: String, key: String)? = nil, jobs: [(name: String, targets: [String])] = []) throws {
        self.port = try FreePort.next()
        self.directory = FileManager.default.temporaryDirectory.appendingPathComponent("prometheus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
        self.logURL = self.directory.appendingPathComponent("prometheus.log")
        let configuration = """
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files:
              - \(Self.repositoryRoot.appendingPathComponent("prometheus/etcd-alerts.yml").path)
              - \(Self.repositoryRoot.appendingPathComponent("prometheus/etcd-backup-alerts.yml").path)
            scrape_configs:
              - job_name: etcd
            \(tls.map { "    scheme: https\n    tls_config:\n      ca_file: \($0.ca)\n      cert_file: \($0.cert)\n      key_file: \($0.key)\n" } ?? "")\
                static_configs:
                  - targets: [\(targets.map { "'\($0)'" }.joined(separator: ", "))]
            \(jobs.map { "  - job_name: \($0.name)\n    static_configs:\n      - targets: [\($0.targets.map { "'\($0)'" }.joined(separator: ", "))]\n" }.joined())
            """
        let configurationURL = self.directory.appendingPathComponent("prometheus.yml")
        try configuration.write(to: configurationURL, atomically: true, encoding: .utf8)
        _ = FileManager.default.createFile(atPath: self.logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: self.logURL)
        self.process.executableURL = try Binaries.system("prometheus")
        self.process.arguments = [
            "--config.file=\(configurationURL.path)",
            "--storage.tsdb.path=\(self.directory.appendingPathComponent("data").path)",
            "--web.listen-address=127.0.0.1:\(self.port)",
        ]
        self.process.standardOutput = log
        self.process.standardError = log
        try self.process.run()
    }

    deinit {
        if ProcessExit.poll(self.process) == nil {
            Glibc.kill(self.process.processIdentifier, SIGKILL)
            _ = ProcessExit.wait(for: self.process)
        }
        try? FileManager.default.removeItem(at: self.directory)
    }

    /// The repository's root, found from this file's path.
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    var log: String { (try? String(contentsOf: self.logURL, encoding: .utf8)) ?? "" }

    /// `GET /api/v1/<path>` decoded as JSON; throws unless Prometheus answered `status: success`.
    func api(_ path: String) async throws -> [String: Any] {
        try await PrometheusAPI(port: self.port).api(path)
    }

    /// The samples of instant query `query`: each series' labels and value.
    func query(_ query: String) async throws -> [(labels: [String: String], value: Double)] {
        try await PrometheusAPI(port: self.port).query(query)
    }
}
