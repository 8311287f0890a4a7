extension MessageType {
    /// Whether the message only ever passes from a node's owner (or the node itself) to the node, never over the
    /// network. ``RawNode/step(_:)`` refuses these.
    public var isLocal: Bool {
        switch self {
        case .hup, .beat, .unreachable, .snapshotStatus, .checkQuorum: true
        default: false
        }
    }

    /// Whether the message answers one the recipient sent; the recipient ignores it from a node it does not know.
    public var isResponse: Bool {
        switch self {
        case .appendResponse, .voteResponse, .heartbeatResponse, .unreachable, .preVoteResponse: true
        default: false
        }
    }

    /// Whether a node may send the message only once the state it reflects (term, vote, log) is durable: responses
    /// to appends and heartbeats vouch for persisted entries and terms, and votes must not be forgotten in a crash.
    var waitsForPersistence: Bool {
        switch self {
        case .appendResponse, .heartbeatResponse, .vote, .voteResponse, .preVote, .preVoteResponse: true
        default: false
        }
    }

    /// The response type that answers a vote request of this type.
    var voteResponseType: MessageType {
        self == .preVote ? .preVoteResponse : .voteResponse
    }
}
