import PeerTransport
import Telemetry

/// Records the peer transport's traffic in etcd's `etcd_network_*` series, and the snapshot databases it
/// received in `etcd_snap_db_*`.
struct PeerTrafficMetrics: PeerTrafficObserver {
    let network: NetworkMetrics
    let snapshot: SnapshotMetrics

    func sent(bytes: Int, to peer: UInt64) {
        self.network.peer(peer).sentBytes.increment(by: Int64(bytes))
    }

    func received(bytes: Int, from peer: UInt64) {
        self.network.peer(peer).receivedBytes.increment(by: Int64(bytes))
    }

    func sendFailed(to peer: UInt64) {
        self.network.peer(peer).sentFailures.increment()
    }

    func receiveFailed(from peer: UInt64) {
        self.network.peer(peer).receivedFailures.increment()
    }

    func measuredRoundTrip(_ duration: Duration, to peer: UInt64) {
        self.network.peer(peer).roundTripSeconds.record(duration.inSeconds)
    }

    func streamChanged(to peer: UInt64, active: Bool) {
        self.network.peer(peer).active.set(to: active ? 1 : 0)
    }

    func snapshotTransferStarted(with peer: UInt64, outbound: Bool) {
        self.network.snapshotTransferStarted(with: peer, outbound: outbound)
    }

    func snapshotTransferEnded(with peer: UInt64, outbound: Bool, succeeded: Bool, took: Duration) {
        self.network.snapshotTransferEnded(with: peer, outbound: outbound, succeeded: succeeded, took: took)
    }

    func savedSnapshotDatabase(took: Duration, fsync: Duration) {
        self.snapshot.databaseSaveTotalSeconds.record(took.inSeconds)
        self.snapshot.databaseFsyncSeconds.record(fsync.inSeconds)
    }
}
