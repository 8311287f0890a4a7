/// A change of membership, one member at a time, carried in a log entry of kind ``Entry/Kind/confChange``
/// and applied when that entry is committed.
public struct ConfChange: Sendable, Hashable {
    /// The change to make.
    public enum Kind: UInt8, Sendable, Hashable {
        /// Add a voter, or promote the learner `nodeID` to voter.
        case addVoter = 0
        /// Remove `nodeID`, whether voter or learner.
        case remove = 1
        /// Add `nodeID` as a learner.
        case addLearner = 2
        /// Change nothing in Raft; the application updates what it records about `nodeID`.
        case update = 3
    }

    /// Chosen by the proposer to recognise the change when it is applied.
    public var id: UInt64
    public var kind: Kind
    public var nodeID: NodeID
    /// Opaque to Raft: the application's record of the member (e.g. its URLs).
    public var context: [UInt8]

    /// Creates a change.
    public init(id: UInt64 = 0, kind: Kind, nodeID: NodeID, context: [UInt8] = []) {
        self.id = id
        self.kind = kind
        self.nodeID = nodeID
        self.context = context
    }
}
