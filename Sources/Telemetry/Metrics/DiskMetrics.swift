import Prometheus

/// The `etcd_disk_*` metrics: WAL fsyncs and writes, and backend commits.
public struct DiskMetrics: Sendable {
    public let walFsyncSeconds: ValueHistogram
    public let walWriteBytes: Gauge
    public let backendCommitSeconds: ValueHistogram

    init(registry: PrometheusCollectorRegistry) {
        let diskLatency = Buckets.exponential(start: 0.001, factor: 2, count: 14)
        self.walFsyncSeconds = registry.makeValueHistogram(
            name: "etcd_disk_wal_fsync_duration_seconds",
            buckets: diskLatency,
            help: "The latency distributions of fsync called by WAL."
        )
        self.walWriteBytes = registry.makeGauge(
            name: "etcd_disk_wal_write_bytes_total",
            help: "Total number of bytes written in WAL."
        )
        self.backendCommitSeconds = registry.makeValueHistogram(
            name: "etcd_disk_backend_commit_duration_seconds",
            buckets: diskLatency,
            help: "The latency distributions of commit called by backend."
        )
    }
}
