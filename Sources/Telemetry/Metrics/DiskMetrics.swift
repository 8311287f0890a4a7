import Prometheus

/// The `etcd_disk_*` metrics: WAL fsyncs and writes, backend commits, defragmentations and snapshots.
public struct DiskMetrics: Sendable {
    public let walFsyncSeconds: ValueHistogram
    public let walWriteBytes: Gauge
    public let backendCommitSeconds: ValueHistogram
    /// etcd's time of bbolt's write phase of a commit. An LMDB commit is all write phase (pages, then the
    /// meta page): it has no rebalance or spill phase at commit, so etcd's series for those are not kept.
    public let backendCommitWriteSeconds: ValueHistogram
    public let backendDefragSeconds: ValueHistogram
    public let defragInflight: Gauge
    public let backendSnapshotSeconds: ValueHistogram

    init(registry: PrometheusCollectorRegistry) {
        let diskLatency = Buckets.exponential(start: 0.001, factor: 2, count: 14)
        self.walFsyncSeconds = registry.histogram(
            name: "etcd_disk_wal_fsync_duration_seconds",
            buckets: diskLatency,
            help: "The latency distributions of fsync called by WAL."
        )
        self.walWriteBytes = registry.gauge(
            name: "etcd_disk_wal_write_bytes_total",
            help: "Total number of bytes written in WAL."
        )
        self.backendCommitSeconds = registry.histogram(
            name: "etcd_disk_backend_commit_duration_seconds",
            buckets: diskLatency,
            help: "The latency distributions of commit called by backend."
        )
        self.backendCommitWriteSeconds = registry.histogram(
            name: "etcd_debugging_disk_backend_commit_write_duration_seconds",
            buckets: diskLatency,
            help: "The latency distributions of commit.write called by bboltdb backend."
        )
        self.backendDefragSeconds = registry.histogram(
            name: "etcd_disk_backend_defrag_duration_seconds",
            buckets: Buckets.exponential(start: 0.1, factor: 2, count: 13),
            help: "The latency distribution of backend defragmentation."
        )
        self.defragInflight = registry.gauge(
            name: "etcd_disk_defrag_inflight",
            help: "Whether or not defrag is active on the member. 1 means active, 0 means not."
        )
        self.backendSnapshotSeconds = registry.histogram(
            name: "etcd_disk_backend_snapshot_duration_seconds",
            buckets: Buckets.exponential(start: 0.01, factor: 2, count: 17),
            help: "The latency distribution of backend snapshots."
        )
    }
}
