import ArgumentParser
import Foundation
import Operations

/// `etcd-ops backup`: one compressed backup of the cluster into a directory, with its manifest, the
/// retention policy applied and the metrics file updated.
struct BackupCommand: OpsCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Back up the cluster into a directory (zlib-compressed snapshot, manifest, retention).",
        discussion: """
            Takes the snapshot from the healthy member at the highest revision, compresses it while it streams, \
            checks its SHA-256 trailer, writes NAME.part, syncs and renames it; writes NAME.json (the manifest) \
            beside it; then deletes the tool's older backups the retention flags do not keep (never the newest \
            verified one, never files it did not make). A second run on the same directory exits with code 5.

            Example (cron, hourly):
              etcd-ops backup --endpoints=10.0.0.1:2379,10.0.0.2:2379 --dir /var/backups/etcd \\
                --keep-hourly 24 --keep-daily 7 --keep-weekly 4 \\
                --metrics-file /var/lib/node_exporter/textfile/etcd_backup.prom
            """
    )

    static let environmentFlags: [(name: String, isSwitch: Bool)] = [
        ("dir", false), ("compression", false), ("level", false), ("keep-last", false), ("keep-hourly", false),
        ("keep-daily", false), ("keep-weekly", false), ("metrics-file", false), ("schedule", false), ("listen-metrics", false),
    ]

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Directory the backups go to (it must exist).")
    var dir: String

    @Option(help: "zlib or none.")
    var compression = "zlib"

    @Option(help: "zlib level, 1 (fastest) to 9 (smallest).")
    var level: Int32 = 6

    @Option(name: .customLong("keep-last"), help: "Keep the newest N backups.")
    var keepLast: Int?

    @Option(name: .customLong("keep-hourly"), help: "Keep the newest backup of each of the last N hours.")
    var keepHourly: Int?

    @Option(name: .customLong("keep-daily"), help: "Keep the newest backup of each of the last N days.")
    var keepDaily: Int?

    @Option(name: .customLong("keep-weekly"), help: "Keep the newest backup of each of the last N ISO weeks.")
    var keepWeekly: Int?

    @Option(name: .customLong("metrics-file"), help: "Prometheus text file to update (node_exporter's textfile collector).")
    var metricsFile: String?

    @Option(help: "Keep running and back up on this five-field cron schedule (UTC), e.g. \"0 * * * *\".")
    var schedule: String?

    @Option(name: .customLong("listen-metrics"), help: "With --schedule, serve the metrics at http://host:port/metrics.")
    var listenMetrics: String?

    func validate() throws {
        if self.listenMetrics != nil && self.schedule == nil { throw ValidationError("--listen-metrics needs --schedule") }
        if let schedule = self.schedule {
            do {
                _ = try CronSchedule(parsing: schedule)
            } catch {
                throw ValidationError(error.description)
            }
        }
        guard BackupCompression(rawValue: self.compression) != nil else { throw ValidationError("--compression must be zlib or none") }
        guard (1...9).contains(self.level) else { throw ValidationError("--level must be between 1 and 9") }
        for (flag, value) in [("keep-last", self.keepLast), ("keep-hourly", self.keepHourly), ("keep-daily", self.keepDaily), ("keep-weekly", self.keepWeekly)] {
            if let value, value < 0 { throw ValidationError("--\(flag) must not be negative") }
        }
    }

    mutating func execute() async throws {
        var options = BackupOptions(directory: self.dir)
        options.compression = BackupCompression(rawValue: self.compression) ?? .zlib
        options.level = self.level
        options.retention = RetentionPolicy(keepLast: self.keepLast, keepHourly: self.keepHourly, keepDaily: self.keepDaily, keepWeekly: self.keepWeekly)
        if let schedule = self.schedule {
            try await self.runScheduled(schedule, options: options)
            return
        }
        let now = Date()
        let result: Result<BackupRun.Outcome, OpsError>
        do throws(OpsError) {
            result = .success(try await BackupRun.run(options, settings: try self.connection.settings(), now: now))
        } catch {
            result = .failure(error)
        }
        if let metricsFile = self.metricsFile {
            try await Failure.reporting { () throws(OpsError) in
                try BackupMetrics.update(file: metricsFile) { metrics in
                    switch result {
                    case .success(let outcome):
                        let manifest = outcome.manifest
                        metrics.recordSuccess(at: now, duration: outcome.duration, sizeBytes: manifest.fileBytes, revision: manifest.revision)
                    case .failure(let error):
                        metrics.recordFailure(at: now, kind: error.kind)
                    }
                }
            }
        }
        let outcome = try await Failure.reporting { () throws(OpsError) in try result.get() }
        let manifest = outcome.manifest
        Output.line("Backup saved at \(outcome.path) (revision \(manifest.revision), \(manifest.fileBytes) bytes of \(manifest.snapshotBytes), from \(manifest.endpoint))")
        for removed in outcome.removed { Output.line("Removed \(removed)") }
    }

    /// The backup service: backups at each scheduled time, metrics served and written, until stopped.
    private func runScheduled(_ text: String, options: BackupOptions) async throws {
        let settings = try await Failure.reporting { () throws(OpsError) in try self.connection.settings() }
        let schedule = try await Failure.reporting { () throws(OpsError) in
            do throws(CronError) {
                return try CronSchedule(parsing: text)
            } catch {
                throw OpsError(.usage, error.description)
            }
        }
        let service = ScheduledBackups(schedule: schedule, options: options, settings: settings, metricsFile: self.metricsFile)
        var server: MetricsServer?
        if let url = self.listenMetrics {
            server = try await Failure.reporting { () throws(OpsError) in try await MetricsServer(url: url) { service.metricsText } }
        }
        Output.line("Backing up on \"\(text)\" into \(options.directory)")
        let work = Task { await service.run { line in Output.line(line) } }
        let signals = TerminationSignals { work.cancel() }
        await work.value
        withExtendedLifetime(signals) {}
        Output.line("Stopped")
        await server?.close()
    }
}
