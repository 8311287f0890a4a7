import Prometheus

/// The `etcd_debugging_lease_*` metrics: leases granted, revoked and renewed, and their TTLs.
public struct LeaseMetrics: Sendable {
    public let grantedTotal: Counter
    public let revokedTotal: Counter
    public let renewedTotal: Counter
    public let ttlSeconds: ValueHistogram

    init(registry: PrometheusCollectorRegistry) {
        self.grantedTotal = registry.counter(
            name: "etcd_debugging_lease_granted_total",
            help: "The total number of granted leases."
        )
        self.revokedTotal = registry.counter(
            name: "etcd_debugging_lease_revoked_total",
            help: "The total number of revoked leases."
        )
        self.renewedTotal = registry.counter(
            name: "etcd_debugging_lease_renewed_total",
            help: "The number of renewed leases seen by the leader."
        )
        self.ttlSeconds = registry.histogram(
            name: "etcd_debugging_lease_ttl_total",
            buckets: Buckets.exponential(start: 1, factor: 2, count: 24),
            help: "Bucketed histogram of lease TTLs."
        )
    }
}
