import Raft

/// What the Raft loop tells the rest of the member. Called on the Raft loop's thread: implementations only
/// record or hand off, never block.
protocol RaftLoopDelegate: AnyObject, Sendable {
    /// The leader or this member's role changed.
    func leadershipChanged(_ state: SoftState, term: UInt64)
    /// Read indexes confirmed by the leader, in order.
    func readStatesConfirmed(_ states: [ReadState])
    /// The read index Raft would answer without a round (``RawNode/immediateReadIndex``) changed; nil when a
    /// read needs a round.
    func immediateReadIndexChanged(to index: UInt64?)
    /// Raft took a proposal in `term`: appended it when leading, or forwarded it to the leader.
    func proposalAccepted(id: UInt64, term: UInt64)
    /// Raft did not take a proposal (no leader, transfer in progress, too much uncommitted data).
    func proposalRejected(id: UInt64, error: RaftError)
    /// The commit index moved (etcd_server_proposals_committed_total).
    func committed(upTo index: UInt64)
    /// As leader, this member sent `peer` a heartbeat `exceededBy` later than `expectedGap` (twice
    /// `heartbeatInterval`) after the previous one (etcd_server_heartbeat_send_failures_total).
    func heartbeatSentLate(to peer: UInt64, exceededBy: Duration, heartbeatInterval: Duration, expectedGap: Duration)
}

/// The Raft loop's link to its peers. `send` never blocks; a snapshot message is handed over with the
/// database it stands for, and the outcome comes back as a ``RaftInput/snapshotStatus(_:_:)``.
protocol RaftMessageSender: Sendable {
    func send(_ messages: [Raft.Message])
    func sendSnapshot(_ message: Raft.Message)
    /// Raft stepped a received snapshot message at `index`; unless Raft took that snapshot (`taken`), the database
    /// received with it is not needed (Raft turns down a snapshot that adds nothing to its log).
    func receivedSnapshotStepped(index: UInt64, taken: Bool)
}
