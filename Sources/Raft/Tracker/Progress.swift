/// How a leader replicates to one follower (etcd-io/raft's `tracker/design.md`):
///
/// ```
///            reject / unreachable                     needs compacted entries
///   replicate ────────────────────▶ probe ──────────────────────────────────▶ snapshot
///       ▲                           │  ▲                                         │
///       └───── append acknowledged ─┘  └──── snapshot reported or acknowledged ──┘
/// ```
public enum ProgressState: Sendable, Hashable {
    /// One append at a time until the leader finds where the follower's log matches.
    case probe
    /// Appends stream out optimistically, bounded by the inflight limits.
    case replicate
    /// A snapshot is on its way; appends wait for it.
    case snapshot
}

/// The leader's view of one member's log.
struct Progress {
    let id: NodeID
    /// The highest index known to match the leader's log.
    var match: UInt64 = 0
    /// The next index to send.
    var next: UInt64
    var state: ProgressState = .probe
    /// In ``ProgressState/snapshot``: the index of the snapshot sent.
    var pendingSnapshot: UInt64 = 0
    /// Heard from since the last check-quorum round.
    var recentActive: Bool
    /// In ``ProgressState/probe``: a probe is out, so wait for its answer or a heartbeat before the next.
    var probeSent = false
    var inflights: Inflights
    var isLearner: Bool
    /// The next flush must send this member an append even if it carries no entries (a probe, or a commit index).
    var needsAppend = false
    /// The highest read-index round this member confirmed the leader in.
    var readRoundAcked: UInt64 = 0

    init(id: NodeID, next: UInt64, isLearner: Bool, recentActive: Bool, maxInflight: Int, maxInflightBytes: Int) {
        self.id = id
        self.next = next
        self.isLearner = isLearner
        self.recentActive = recentActive
        self.inflights = Inflights(maxCount: maxInflight, maxBytes: maxInflightBytes)
    }

    /// Whether the leader must hold further appends back.
    var isPaused: Bool {
        switch self.state {
        case .probe: self.probeSent
        case .replicate: self.inflights.isFull
        case .snapshot: true
        }
    }

    private mutating func reset(to state: ProgressState) {
        self.probeSent = false
        self.pendingSnapshot = 0
        self.state = state
        self.inflights.reset()
    }

    mutating func becomeProbe() {
        if self.state == .snapshot {
            let pending = self.pendingSnapshot
            self.reset(to: .probe)
            self.next = max(self.match + 1, pending + 1)
        } else {
            self.reset(to: .probe)
            self.next = self.match + 1
        }
    }

    mutating func becomeReplicate() {
        self.reset(to: .replicate)
        self.next = self.match + 1
    }

    mutating func becomeSnapshot(index: UInt64) {
        self.reset(to: .snapshot)
        self.pendingSnapshot = index
    }

    /// Records that the member's log matches up to `index`; returns whether `match` grew.
    mutating func maybeUpdate(_ index: UInt64) -> Bool {
        var updated = false
        if self.match < index {
            self.match = index
            updated = true
            self.probeSent = false
        }
        self.next = max(self.next, index + 1)
        return updated
    }

    /// Handles a rejected append for `rejected` with the follower's hint that its log may match at `matchHint`.
    /// Returns false when the rejection is stale.
    mutating func maybeDecrease(rejected: UInt64, matchHint: UInt64) -> Bool {
        if self.state == .replicate {
            if rejected <= self.match { return false }
            self.next = self.match + 1
            return true
        }
        // Probes go out one at a time, so only the answer to the latest one (for next - 1) counts.
        if self.next - 1 != rejected { return false }
        self.next = max(min(rejected, matchHint + 1), 1)
        self.probeSent = false
        return true
    }
}
