/// The kinds of ``Message``. Those marked local never cross the network: the owner of the node or the
/// node itself creates them.
public enum MessageType: UInt8, Sendable, Hashable {
    /// Local: start an election.
    case hup = 0
    /// Local: a leader's heartbeat tick.
    case beat = 1
    /// A proposal; followers forward theirs to the leader.
    case propose = 2
    case append = 3
    case appendResponse = 4
    case vote = 5
    case voteResponse = 6
    case snapshot = 7
    case heartbeat = 8
    case heartbeatResponse = 9
    /// Local: the transport could not reach `from`.
    case unreachable = 10
    /// Local: the outcome of sending a snapshot to `from`.
    case snapshotStatus = 11
    /// Local: a leader's check that a quorum is still active.
    case checkQuorum = 12
    case transferLeader = 13
    case timeoutNow = 14
    case readIndex = 15
    case readIndexResponse = 16
    case preVote = 17
    case preVoteResponse = 18
}

/// One message between Raft nodes, or from the owner to its node. Which fields matter depends on `type`.
public struct Message: Sendable, Hashable {
    public var type: MessageType
    public var to: NodeID
    public var from: NodeID
    public var term: UInt64
    /// For appends and votes: the term of the entry at `index` (the one before `entries`, or the last).
    public var logTerm: UInt64
    public var index: UInt64
    public var entries: [Entry]
    public var commit: UInt64
    public var snapshot: Snapshot?
    public var reject: Bool
    /// On a rejected append: a hint where the follower's log could match.
    public var rejectHint: UInt64
    /// Opaque to Raft: e.g. a read request's id, or a campaign's kind.
    public var context: [UInt8]

    /// Creates a message; unspecified fields are zero or empty.
    public init(
        type: MessageType,
        to: NodeID = .none,
        from: NodeID = .none,
        term: UInt64 = 0,
        logTerm: UInt64 = 0,
        index: UInt64 = 0,
        entries: [Entry] = [],
        commit: UInt64 = 0,
        snapshot: Snapshot? = nil,
        reject: Bool = false,
        rejectHint: UInt64 = 0,
        context: [UInt8] = []
    ) {
        self.type = type
        self.to = to
        self.from = from
        self.term = term
        self.logTerm = logTerm
        self.index = index
        self.entries = entries
        self.commit = commit
        self.snapshot = snapshot
        self.reject = reject
        self.rejectHint = rejectHint
        self.context = context
    }
}
