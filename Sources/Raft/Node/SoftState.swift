/// The part a member plays in its group.
public enum RaftRole: Sendable, Hashable, CustomStringConvertible {
    /// Answers the leader and votes; campaigns after an election timeout without a leader.
    case follower
    /// Asking for pre-votes (Raft thesis §9.6) before raising its term.
    case preCandidate
    /// Asking for votes in a term it entered.
    case candidate
    /// Replicates the log and decides what is committed, for one term.
    case leader

    public var description: String {
        switch self {
        case .follower: "follower"
        case .preCandidate: "preCandidate"
        case .candidate: "candidate"
        case .leader: "leader"
        }
    }
}

/// What a member believes about leadership right now; volatile, never persisted.
public struct SoftState: Sendable, Hashable {
    /// The leader of the current term as far as this member knows, or ``NodeID/none``.
    public var leader: NodeID
    /// This member's role.
    public var role: RaftRole

    /// Creates a soft state.
    public init(leader: NodeID, role: RaftRole) {
        self.leader = leader
        self.role = role
    }
}

/// A read-index request confirmed by the leader: once the owner has applied up to `index`, a read on its state
/// machine reflects every write committed before the request was made (linearizable).
public struct ReadState: Sendable, Hashable {
    /// The commit index the read must wait for (applied index at least this).
    public var index: UInt64
    /// The context given to ``RawNode/readIndex(context:)``, to match the answer to its request.
    public var context: [UInt8]

    /// Creates a read state.
    public init(index: UInt64, context: [UInt8]) {
        self.index = index
        self.context = context
    }
}

/// The outcome of sending a snapshot, reported with ``RawNode/reportSnapshot(_:status:)``.
public enum SnapshotStatus: Sendable, Hashable {
    /// The follower received the snapshot.
    case finished
    /// Sending failed; the leader probes the follower again after a heartbeat.
    case failed
}
