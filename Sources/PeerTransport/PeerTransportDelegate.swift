import EtcdProto
import Raft

/// What the transport asks of the member that owns it. Called from NIO threads and tasks, concurrently:
/// implementations hand work to the member's own loops and return quickly.
public protocol PeerTransportDelegate: Sendable {
    /// A Raft message from a peer, in the order that peer sent it.
    func receive(_ message: Raft.Message)

    /// A snapshot from the leader: the `MSG_SNAPSHOT` message and the backend it covers, received
    /// completely into `databasePath`. Returns once the member has taken it over (or throws why not);
    /// the sender learns the outcome.
    func receiveSnapshot(_ message: Raft.Message, databasePath: String) async throws

    /// Where incoming snapshot databases are written.
    var snapshotDirectory: String { get }

    /// The membership to tell a member that asks (one joining an existing cluster).
    func clusterMembers() -> Memberpb_ClusterMembers

    /// Answers a follower's question that only the leader can answer (lease clocks, learner progress).
    func answerLeaderQuery(_ request: Memberpb_LeaderRequest) async -> Memberpb_LeaderReply

    /// The hash of this member's key-value history at a revision, for a peer's corruption check.
    func answerHashKV(_ request: Etcdserverpb_HashKVRequest) async -> Memberpb_HashKVReply

    /// Whether `memberID` was removed from the cluster; its connections are refused so that it learns it.
    func isRemoved(_ memberID: UInt64) -> Bool

    /// A peer refused us because this member was removed from the cluster: the member must stop.
    func removedFromCluster()

    /// Messages for `peerID` could not be delivered (queue full or connection lost); Raft should slow down
    /// replication to it until it answers again.
    func unreachable(_ peerID: UInt64)
}
