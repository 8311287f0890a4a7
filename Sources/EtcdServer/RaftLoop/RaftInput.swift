import Raft

/// What other threads ask of the Raft loop. Everything that touches the Raft node goes through its inbox,
/// so the node keeps its single owner.
@_spi(Testing) public enum RaftInput: Sendable {
    /// A message from a peer.
    case message(Raft.Message)
    /// A client request to append; `id` lets the waiter hear if Raft drops it.
    case propose(id: UInt64, data: [UInt8])
    /// A membership change; `id` lets the waiter hear if Raft refuses it.
    case proposeConfChange(id: UInt64, change: ConfChange)
    /// A linearizable read's request for the current commit index.
    case readIndex(context: [UInt8])
    case transferLeadership(to: NodeID)
    /// Start an election now (a one-member cluster at start).
    case campaign
    /// Tick the node this many times at once (etcd's initial election tick advance).
    case advanceTicks(Int)
    /// Report the node's full status (with each member's replication progress when leading).
    case status(@Sendable (Status) -> Void)
    /// The transport could not deliver to this peer.
    case unreachable(NodeID)
    /// The outcome of sending a snapshot to this peer.
    case snapshotStatus(NodeID, SnapshotStatus)
    /// The apply loop made the backend durable up to this point: snapshot the log there and compact it.
    case compactLog(SnapshotMetadata)
}
