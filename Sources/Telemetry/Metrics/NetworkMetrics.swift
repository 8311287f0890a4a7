import Prometheus
import Synchronization

/// The `etcd_network_*` metrics: traffic with each peer (labelled `To` or `From` with the peer's id in
/// hex, as etcd), round-trip times, active peer connections, and traffic with gRPC clients.
public final class NetworkMetrics: Sendable {
    /// The series of one peer, created on first use and kept.
    public struct Peer: Sendable {
        public let sentBytes: Counter
        public let receivedBytes: Counter
        public let sentFailures: Counter
        public let receivedFailures: Counter
        public let roundTripSeconds: ValueHistogram
        public let active: Gauge
    }

    public let clientGRPCSentBytes: Counter
    public let clientGRPCReceivedBytes: Counter
    private let registry: PrometheusCollectorRegistry
    private let localID = Mutex<UInt64>(0)
    private let peers = Mutex<[UInt64: Peer]>([:])

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        self.clientGRPCSentBytes = registry.counter(
            name: "etcd_network_client_grpc_sent_bytes_total",
            help: "The total number of bytes sent to grpc clients."
        )
        self.clientGRPCReceivedBytes = registry.counter(
            name: "etcd_network_client_grpc_received_bytes_total",
            help: "The total number of bytes received from grpc clients."
        )
    }

    /// Names this member for the `Local` label of `etcd_network_active_peers`. Call before ``peer(_:)``.
    public func setLocalMember(_ id: UInt64) {
        self.localID.withLock { $0 = id }
    }

    /// The series of peer `id`.
    public func peer(_ id: UInt64) -> Peer {
        if let known = self.peers.withLock({ $0[id] }) { return known }
        let name = String(id, radix: 16)
        let local = String(self.localID.withLock { $0 }, radix: 16)
        let made = Peer(
            sentBytes: self.registry.counter(
                name: "etcd_network_peer_sent_bytes_total",
                labels: [("To", name)],
                help: "The total number of bytes sent to peers."
            ),
            receivedBytes: self.registry.counter(
                name: "etcd_network_peer_received_bytes_total",
                labels: [("From", name)],
                help: "The total number of bytes received from peers."
            ),
            sentFailures: self.registry.counter(
                name: "etcd_network_peer_sent_failures_total",
                labels: [("To", name)],
                help: "The total number of send failures from peers."
            ),
            receivedFailures: self.registry.counter(
                name: "etcd_network_peer_received_failures_total",
                labels: [("From", name)],
                help: "The total number of receive failures from peers."
            ),
            roundTripSeconds: self.registry.histogram(
                name: "etcd_network_peer_round_trip_time_seconds",
                labels: [("To", name)],
                buckets: Buckets.exponential(start: 0.0001, factor: 2, count: 16),
                help: "Round-Trip-Time histogram between peers"
            ),
            active: self.registry.gauge(
                name: "etcd_network_active_peers",
                labels: [("Local", local), ("Remote", name)],
                help: "The current number of active peer connections."
            )
        )
        return self.peers.withLock { peers in
            if let raced = peers[id] { return raced }
            peers[id] = made
            return made
        }
    }

    /// A snapshot transfer with `peer` began (`outbound`: this member sends it): one more in
    /// `etcd_network_snapshot_{send,receive}_inflights_total`. Its series appear on first use, as etcd's.
    public func snapshotTransferStarted(with peer: UInt64, outbound: Bool) {
        self.snapshotInflights(peer, outbound: outbound).increment()
    }

    /// A snapshot transfer with `peer` ended after `took`: one less in flight, and counted in
    /// `etcd_network_snapshot_{send,receive}_success` with its time in `..._total_duration_seconds`, or in
    /// `..._failures`.
    public func snapshotTransferEnded(with peer: UInt64, outbound: Bool, succeeded: Bool, took: Duration) {
        self.snapshotInflights(peer, outbound: outbound).decrement()
        let (direction, label) = Self.snapshotSeries(peer, outbound: outbound)
        guard succeeded else {
            self.registry.counter(
                name: "etcd_network_snapshot_\(direction)_failures",
                labels: [label],
                help: "Total number of snapshot \(direction) failures"
            ).increment()
            return
        }
        self.registry.counter(
            name: "etcd_network_snapshot_\(direction)_success",
            labels: [label],
            help: "Total number of successful snapshot \(direction)s"
        ).increment()
        self.registry.histogram(
            name: "etcd_network_snapshot_\(direction)_total_duration_seconds",
            labels: [label],
            buckets: Buckets.exponential(start: 0.1, factor: 2, count: 10),
            help: "Total latency distributions of v3 snapshot \(direction)s"
        ).record(took.inSeconds)
    }

    private func snapshotInflights(_ peer: UInt64, outbound: Bool) -> Gauge {
        let (direction, label) = Self.snapshotSeries(peer, outbound: outbound)
        return self.registry.gauge(
            name: "etcd_network_snapshot_\(direction)_inflights_total",
            labels: [label],
            help: "Total number of inflight snapshot \(direction)s"
        )
    }

    /// etcd's word for the direction of a snapshot transfer and its peer label (`To` or `From`, in hex).
    private static func snapshotSeries(_ peer: UInt64, outbound: Bool) -> (direction: String, label: (String, String)) {
        outbound ? ("send", ("To", String(peer, radix: 16))) : ("receive", ("From", String(peer, radix: 16)))
    }
}
