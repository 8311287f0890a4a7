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
}
