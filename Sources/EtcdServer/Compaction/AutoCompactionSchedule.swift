/// When the leader compacts by itself, decided as etcd's v3 compactor decides it; pure, so a test drives
/// it with its own clock.
///
/// Periodic mode with retention `R` polls every `min(R, 1 h) / 10`, remembering the revision at each poll;
/// once `R` has passed since the start (later: `min(R, 1 h)` since the last compaction) it compacts at the
/// oldest remembered revision, the one about `R` old. Revision mode polls every five minutes and compacts
/// at `current - retention` when that is positive and new. Only the leader compacts; a follower keeps
/// remembering revisions so that it is ready when it leads.
public struct AutoCompactionSchedule: Sendable {
    /// etcd's revision-mode poll interval.
    public static let revisionPollInterval: Duration = .seconds(300)

    private let mode: AutoCompaction
    /// How long the runner waits between calls to ``poll(now:revision:leading:)``.
    public let interval: Duration
    private var revisions: [Int64]
    private var lastSuccess: ContinuousClock.Instant
    private var waitBeforeCompacting: Duration
    private var lastCompacted: Int64 = 0

    /// A schedule starting at `now`, when the store is at `revision`; nil when auto-compaction is off.
    public init?(_ mode: AutoCompaction, now: ContinuousClock.Instant, revision: Int64) {
        self.mode = mode
        self.revisions = [revision]
        self.lastSuccess = now
        switch mode {
        case .disabled:
            return nil
        case .periodic(let retention):
            self.interval = min(retention, .seconds(3_600)) / 10
            self.waitBeforeCompacting = retention
        case .revision:
            self.interval = Self.revisionPollInterval
            self.waitBeforeCompacting = .zero
        }
    }

    /// The revision to compact at now, or nil. Call every ``interval``; then report the outcome with
    /// ``compacted(at:now:succeeded:)``.
    public mutating func poll(now: ContinuousClock.Instant, revision: Int64, leading: Bool) -> Int64? {
        switch self.mode {
        case .disabled:
            return nil
        case .periodic(let retention):
            defer { self.remember(revision, keeping: retention) }
            guard leading, now - self.lastSuccess >= self.waitBeforeCompacting else { return nil }
            self.waitBeforeCompacting = min(retention, .seconds(3_600))
            return self.revisions.first
        case .revision(let retention):
            let target = revision - retention
            guard leading, target > 0, target != self.lastCompacted else { return nil }
            return target
        }
    }

    /// Records how compacting at `revision` went; an already compacted revision counts as success.
    public mutating func compacted(at revision: Int64, now: ContinuousClock.Instant, succeeded: Bool) {
        guard succeeded else { return }
        self.lastSuccess = now
        self.lastCompacted = revision
    }

    private mutating func remember(_ revision: Int64, keeping retention: Duration) {
        self.revisions.append(revision)
        let kept = Int(retention / self.interval) + 1
        if self.revisions.count > kept { self.revisions.removeFirst(self.revisions.count - kept) }
    }
}
