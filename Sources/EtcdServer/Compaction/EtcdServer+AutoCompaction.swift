import GoFormat
import EtcdProto
import Logging
import Telemetry

extension EtcdServer {
    /// Runs `--auto-compaction-mode` until cancelled: the leader proposes compactions on the schedule,
    /// logging each as etcd does; failures are retried at the next poll.
    func runAutoCompaction() async throws {
        guard
            var schedule = AutoCompactionSchedule(
                self.configuration.autoCompaction, now: .now, revision: self.stores.store.currentRevision
            )
        else { return }
        let retention = Self.retentionMetadata(self.configuration.autoCompaction)
        while true {
            try await Task.sleep(for: schedule.interval)
            let leading = self.leader.current.leader == self.memberID
            guard let revision = schedule.poll(now: .now, revision: self.stores.store.currentRevision, leading: leading) else {
                continue
            }
            let mode = retention.mode
            self.logger.info("starting auto \(mode) compaction", metadata: ["revision": "\(revision)", retention.key: "\(retention.value)"])
            let started = ContinuousClock.now
            var request = Etcdserverpb_CompactionRequest()
            request.revision = revision
            do {
                _ = try await self.compact(request)
                schedule.compacted(at: revision, now: .now, succeeded: true)
            } catch let error as EtcdError where error == .compacted {
                schedule.compacted(at: revision, now: .now, succeeded: true)
            } catch {
                schedule.compacted(at: revision, now: .now, succeeded: false)
                self.logger.warning(
                    "failed auto \(mode) compaction",
                    metadata: ["revision": "\(revision)", retention.key: "\(retention.value)", "retry-interval": "\(schedule.interval.goString)", "error": "\(error)"]
                )
                continue
            }
            self.logger.info(
                "completed auto \(mode) compaction",
                metadata: ["revision": "\(revision)", retention.key: "\(retention.value)", "took": "\((ContinuousClock.now - started).goString)"]
            )
        }
    }

    private static func retentionMetadata(_ mode: AutoCompaction) -> (mode: String, key: String, value: String) {
        switch mode {
        case .periodic(let retention): ("periodic", "compact-period", retention.goString)
        case .revision(let retention): ("revision", "revision-compaction-retention", "\(retention)")
        case .disabled: ("", "", "")
        }
    }
}
