import Foundation

/// The Prometheus text file a backup run leaves for node_exporter's textfile collector (or serves on
/// `--listen-metrics` when scheduled): last success and attempt times, the last backup's duration, size
/// and revision, and failures counted by reason. Counters and the last success carry over from the file
/// the previous run wrote, since each cron run is a new process.
public struct BackupMetrics: Sendable, Equatable {
    public var lastSuccess: Double?
    public var lastAttempt: Double?
    public var durationSeconds: Double?
    public var sizeBytes: Double?
    public var revision: Double?
    public var failures: [String: Double] = [:]

    public init() {}

    /// The figures a previous run wrote to `text` (unknown lines are ignored).
    public init(parsing text: String) {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            guard parts.count == 2, let value = Double(parts[1]) else { continue }
            let name = String(parts[0])
            switch name {
            case "etcd_ops_backup_last_success_timestamp_seconds": self.lastSuccess = value
            case "etcd_ops_backup_last_attempt_timestamp_seconds": self.lastAttempt = value
            case "etcd_ops_backup_duration_seconds": self.durationSeconds = value
            case "etcd_ops_backup_size_bytes": self.sizeBytes = value
            case "etcd_ops_backup_revision": self.revision = value
            default:
                if let reason = name.firstMatch(of: /^etcd_ops_backup_failures_total\{reason="([a-z_]+)"\}$/) {
                    self.failures[String(reason.1)] = value
                }
            }
        }
    }

    /// Counts a successful run at `time`.
    public mutating func recordSuccess(at time: Date, duration: Duration, sizeBytes: Int64, revision: Int64) {
        self.lastAttempt = time.timeIntervalSince1970
        self.lastSuccess = time.timeIntervalSince1970
        self.durationSeconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        self.sizeBytes = Double(sizeBytes)
        self.revision = Double(revision)
    }

    /// Counts a failed run at `time`.
    public mutating func recordFailure(at time: Date, kind: OpsError.Kind) {
        self.lastAttempt = time.timeIntervalSince1970
        self.failures[Self.reason(kind), default: 0] += 1
    }

    /// The failure reasons, as labelled.
    public static let reasons = ["failed", "unreachable", "invalid_backup", "output", "locked"]

    static func reason(_ kind: OpsError.Kind) -> String {
        switch kind {
        case .failed, .usage: "failed"
        case .unreachable: "unreachable"
        case .invalidBackup: "invalid_backup"
        case .output: "output"
        case .locked: "locked"
        }
    }

    /// The exposition text.
    public var text: String {
        var lines: [String] = []
        func gauge(_ name: String, _ help: String, _ value: Double?) {
            guard let value else { return }
            lines += ["# HELP \(name) \(help)", "# TYPE \(name) gauge", "\(name) \(Self.format(value))"]
        }
        gauge("etcd_ops_backup_last_success_timestamp_seconds", "Unix time of the last successful backup.", self.lastSuccess)
        gauge("etcd_ops_backup_last_attempt_timestamp_seconds", "Unix time of the last backup attempt.", self.lastAttempt)
        gauge("etcd_ops_backup_duration_seconds", "How long the last successful backup took.", self.durationSeconds)
        gauge("etcd_ops_backup_size_bytes", "Size of the last successful backup file.", self.sizeBytes)
        gauge("etcd_ops_backup_revision", "Store revision of the last successful backup.", self.revision)
        lines += ["# HELP etcd_ops_backup_failures_total Failed backup attempts by reason.", "# TYPE etcd_ops_backup_failures_total counter"]
        for reason in Self.reasons {
            lines.append("etcd_ops_backup_failures_total{reason=\"\(reason)\"} \(Self.format(self.failures[reason] ?? 0))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Reads the previous figures from `path` (none when it does not exist), applies `update`, and writes
    /// the file atomically.
    public static func update(file path: String, _ update: (inout BackupMetrics) -> Void) throws(OpsError) {
        var metrics = FileManager.default.contents(atPath: path).map { BackupMetrics(parsing: String(decoding: $0, as: UTF8.self)) } ?? BackupMetrics()
        update(&metrics)
        try FileOutput.writeAtomically(Data(metrics.text.utf8), to: path)
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
