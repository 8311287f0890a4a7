/// An operating error of a ``RawNode`` call: the request was not taken, and nothing changed.
public struct RaftError: Error, Hashable, CustomStringConvertible {
    private enum Reason: Hashable {
        case proposalDropped
        case readIndexDropped
        case confChangePending
        case confChangeRemovesLastVoter
        case stepLocalMessage
        case stepPeerNotFound
    }

    private let reason: Reason

    /// The proposal was not appended: there is no leader, a leadership transfer is in progress, the leader holds
    /// too many uncommitted bytes, this leader was removed, or proposal forwarding is disabled. Retry later.
    public static let proposalDropped = RaftError(reason: .proposalDropped)

    /// The read-index request was not taken: there is no leader, or the leader's queue of reads is full.
    public static let readIndexDropped = RaftError(reason: .readIndexDropped)

    /// A configuration change is already in the log and not yet applied; only one may be pending at a time.
    public static let confChangePending = RaftError(reason: .confChangePending)

    /// The configuration change would leave the group without voters.
    public static let confChangeRemovesLastVoter = RaftError(reason: .confChangeRemovesLastVoter)

    /// ``RawNode/step(_:)`` was given a message type that never crosses the network.
    public static let stepLocalMessage = RaftError(reason: .stepLocalMessage)

    /// ``RawNode/step(_:)`` was given a response from a node outside the configuration.
    public static let stepPeerNotFound = RaftError(reason: .stepPeerNotFound)

    /// A stable message; etcd's wording where etcd's raft has one.
    public var description: String {
        switch self.reason {
        case .proposalDropped: "raft proposal dropped"
        case .readIndexDropped: "raft read index dropped"
        case .confChangePending: "raft: a configuration change is already pending"
        case .confChangeRemovesLastVoter: "raft: configuration change would remove all voters"
        case .stepLocalMessage: "raft: cannot step raft local message"
        case .stepPeerNotFound: "raft: cannot step as peer not found"
        }
    }
}
