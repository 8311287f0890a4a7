import Raft
import Synchronization

/// What this member knows about leadership, readable from any thread: the leader, this member's role, the
/// term, and how many leader changes it has seen.
@_spi(Testing) public final class LeaderState: Sendable {
    struct Snapshot: Sendable, Equatable {
        var leader: NodeID = .none
        var role: RaftRole = .follower
        var term: UInt64 = 0
        var changes: UInt64 = 0
    }

    private let state = Mutex(Snapshot())

    /// Knows of no leader, in term 0, until the Raft loop reports one.
    public init() {}

    var current: Snapshot { self.state.withLock { $0 } }

    var hasLeader: Bool { self.current.leader != .none }

    /// Records a new soft state; returns whether the leader changed.
    @discardableResult
    public func update(_ softState: SoftState, term: UInt64) -> Bool {
        self.state.withLock { state in
            let changed = state.leader != softState.leader
            if changed && softState.leader != .none { state.changes += 1 }
            state.leader = softState.leader
            state.role = softState.role
            state.term = term
            return changed
        }
    }

    /// Records the term from a hard state.
    func updateTerm(_ term: UInt64) {
        self.state.withLock { $0.term = max($0.term, term) }
    }
}
