import EtcdProto

/// The failures clientv3's concurrency package reports in its own words. Go's values carry no gRPC status, so
/// a gRPC service that returns them (etcd's Lock and Election) sends code Unknown: these have that code.
extension EtcdError {
    /// A proclamation by a candidate whose key is gone or was made again by another campaign.
    public static let electionNotLeader = EtcdError(.unknown, "election: not leader")
    /// No candidate in the election.
    public static let electionNoLeader = EtcdError(.unknown, "election: no leader")
    /// The lock's turn came but the waiter's own key had gone meanwhile: its lease expired or was revoked.
    public static let mutexSessionExpired = EtcdError(.unknown, "mutex: session is expired")
    /// A watch for a key's deletion ended before the deletion, neither failing nor cancelled.
    public static let lostWatcher = EtcdError(.unknown, "lost watcher waiting for delete")
}
