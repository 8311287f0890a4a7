import Raft

/// Committed work from one Raft `Ready`: a snapshot to install (on a follower that fell behind), then
/// entries to apply in order.
struct ApplyBatch: Sendable {
    var snapshot: Snapshot?
    var entries: [Entry]

    /// Whether applying it changes the Raft configuration, so that the Raft loop must wait for it.
    var changesConfiguration: Bool {
        self.snapshot != nil || self.entries.contains { $0.kind == .confChange }
    }

    /// The index of the last entry (or of the snapshot when there are no entries).
    var lastIndex: UInt64 {
        self.entries.last?.index ?? self.snapshot?.metadata.index ?? 0
    }
}

/// The member's state machine as the apply loop drives it: one thread, batches in log order.
protocol StateMachine: AnyObject {
    /// Applies `batch` and returns the membership changes Raft must now apply, in order. A change the
    /// membership rules refused is applied as nothing and left out.
    func apply(_ batch: ApplyBatch) -> [ConfChange]

    /// Work due between batches (committing the backend batch, compacting in steps); returns when it
    /// wants to run again, or nil when nothing is pending.
    func runDueWork(now: ContinuousClock.Instant) -> ContinuousClock.Instant?

    /// The loop is stopping: commit what is applied and close.
    func close()
}
