import Foundation
import Synchronization

/// Backups on a cron schedule, for a long-running backup service (the compose file's backup container):
/// at each time the schedule names, one ``BackupRun``; its outcome goes into the metrics (served by a
/// ``MetricsServer`` and, when given, written to the metrics file) and to `report`. A failed run is counted
/// and the schedule goes on. Returns when the task is cancelled, after the backup under way, if any.
public final class ScheduledBackups: Sendable {
    private let schedule: CronSchedule
    private let options: BackupOptions
    private let settings: ClientSettings
    private let metricsFile: String?
    private let state: Mutex<BackupMetrics>

    public init(schedule: CronSchedule, options: BackupOptions, settings: ClientSettings, metricsFile: String?) {
        self.schedule = schedule
        self.options = options
        self.settings = settings
        self.metricsFile = metricsFile
        let previous = metricsFile.flatMap { FileManager.default.contents(atPath: $0) }.map {
            BackupMetrics(parsing: String(decoding: $0, as: UTF8.self))
        }
        self.state = Mutex(previous ?? BackupMetrics())
    }

    /// The metrics as Prometheus text.
    public var metricsText: String { self.state.withLock { $0.text } }

    /// Runs backups at each scheduled time until cancelled; a cancelled service finishes the backup it began.
    public func run(report: @Sendable (String) -> Void) async {
        while let next = self.schedule.next(after: Date()) {
            do {
                try await Task.sleep(for: .seconds(max(0, next.timeIntervalSinceNow)))
            } catch {
                return
            }
            let now = Date()
            // A backup that has begun is finished even when the service is told to stop meanwhile.
            let (options, settings) = (self.options, self.settings)
            let run = Task { () async -> Result<BackupRun.Outcome, OpsError> in
                do throws(OpsError) {
                    return .success(try await BackupRun.run(options, settings: settings, now: now))
                } catch {
                    return .failure(error)
                }
            }
            do throws(OpsError) {
                let outcome = try await run.value.get()
                self.state.withLock { metrics in
                    metrics.recordSuccess(
                        at: now, duration: outcome.duration, sizeBytes: outcome.manifest.fileBytes, revision: outcome.manifest.revision
                    )
                }
                report("Backup saved at \(outcome.path) (revision \(outcome.manifest.revision))")
                for removed in outcome.removed { report("Removed \(removed)") }
            } catch {
                self.state.withLock { $0.recordFailure(at: now, kind: error.kind) }
                report("Backup failed: \(error.message)")
            }
            if let file = self.metricsFile {
                let text = self.metricsText
                do throws(OpsError) {
                    try FileOutput.writeAtomically(Data(text.utf8), to: file)
                } catch {
                    report("Cannot write the metrics file: \(error.message)")
                }
            }
        }
    }
}
