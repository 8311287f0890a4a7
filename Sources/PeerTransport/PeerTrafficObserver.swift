/// What the transport tells about its traffic with each peer, for etcd's `etcd_network_*` metrics.
/// Called from the transport's tasks and event loops: implementations must be quick and thread-safe.
public protocol PeerTrafficObserver: Sendable {
    /// Bytes written to `peer` on its message stream or a snapshot connection (frame headers included).
    func sent(bytes: Int, to peer: UInt64)
    /// Bytes read from `peer` on a connection it opened.
    func received(bytes: Int, from peer: UInt64)
    /// A connection to `peer` failed or broke, so queued messages could not be sent.
    func sendFailed(to peer: UInt64)
    /// A stream from `peer` broke while this member was reading it.
    func receiveFailed(from peer: UInt64)
    /// A probe to `peer` came back after `duration`.
    func measuredRoundTrip(_ duration: Duration, to peer: UInt64)
    /// The message stream to `peer` was established (`active`) or lost.
    func streamChanged(to peer: UInt64, active: Bool)
    /// A snapshot database from the leader was written in full and fsynced: receiving and writing took
    /// `took`, of which `fsync` was the fsync.
    func savedSnapshotDatabase(took: Duration, fsync: Duration)
    /// A snapshot transfer with `peer` began: this member sends one (`outbound`) or receives one.
    func snapshotTransferStarted(with peer: UInt64, outbound: Bool)
    /// That transfer ended after `took`: `succeeded` when the receiver took the snapshot over in full.
    func snapshotTransferEnded(with peer: UInt64, outbound: Bool, succeeded: Bool, took: Duration)
}
