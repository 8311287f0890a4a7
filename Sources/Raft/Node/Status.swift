/// A member's state without the leader's per-follower detail; cheap to take.
public struct BasicStatus: Sendable, Hashable {
    /// This member.
    public var id: NodeID
    /// The current term, vote and commit index (not necessarily persisted yet).
    public var hardState: HardState
    /// The leader as far as this member knows, and its role.
    public var softState: SoftState
    /// The index the owner acknowledged as applied through ``RawNode/advance(_:)``.
    public var applied: UInt64
    /// The member a leader is handing leadership to, or ``NodeID/none``.
    public var leadTransferee: NodeID
}

/// A leader's view of one member's replication.
public struct ProgressStatus: Sendable, Hashable {
    /// The highest index known to match the leader's log.
    public var match: UInt64
    /// The next index the leader will send.
    public var next: UInt64
    /// How the leader replicates to the member.
    public var state: ProgressState
    /// In ``ProgressState/snapshot``: the index of the snapshot sent.
    public var pendingSnapshot: UInt64
    /// Heard from since the last check-quorum round.
    public var recentActive: Bool
    /// Appends are held back (probe outstanding, inflight window full, or snapshot in flight).
    public var isPaused: Bool
    /// Appends sent and not yet acknowledged, while replicating.
    public var inflightMessages: Int
    /// The member receives the log but does not vote.
    public var isLearner: Bool
}

/// A member's full state, for diagnostics.
public struct Status: Sendable, Hashable {
    /// Everything but the configuration and progress.
    public var basic: BasicStatus
    /// The configuration in force.
    public var confState: ConfState
    /// Every member's replication progress, when this member leads; empty otherwise.
    public var progress: [NodeID: ProgressStatus]
}

extension ProgressStatus {
    init(_ progress: Progress) {
        self.match = progress.match
        self.next = progress.next
        self.state = progress.state
        self.pendingSnapshot = progress.pendingSnapshot
        self.recentActive = progress.recentActive
        self.isPaused = progress.isPaused
        self.inflightMessages = progress.inflights.count
        self.isLearner = progress.isLearner
    }
}
