/// The state a member must persist before it sends any message that depends on it: its current term,
/// whom it voted for in that term, and the highest index it knows to be committed.
public struct HardState: Sendable, Hashable {
    public var term: UInt64
    public var vote: NodeID
    public var commit: UInt64

    /// Creates a hard state.
    public init(term: UInt64 = 0, vote: NodeID = .none, commit: UInt64 = 0) {
        self.term = term
        self.vote = vote
        self.commit = commit
    }

    /// The state of a member that has never taken part in an election.
    public static let empty = HardState()

    /// Whether this is ``empty``.
    public var isEmpty: Bool { self == .empty }
}
