import Prometheus

/// etcd's metrics of snapshot files: saving a Raft snapshot (`etcd_debugging_snap_save_*`,
/// `etcd_snap_fsync_duration_seconds`) and saving a database snapshot received from the leader
/// (`etcd_snap_db_*`).
public struct SnapshotMetrics: Sendable {
    public let saveTotalSeconds: ValueHistogram
    public let saveMarshallingSeconds: ValueHistogram
    public let fsyncSeconds: ValueHistogram
    public let databaseFsyncSeconds: ValueHistogram
    public let databaseSaveTotalSeconds: ValueHistogram

    init(registry: PrometheusCollectorRegistry) {
        let latency = Buckets.exponential(start: 0.001, factor: 2, count: 14)
        self.saveTotalSeconds = registry.histogram(
            name: "etcd_debugging_snap_save_total_duration_seconds",
            buckets: latency,
            help: "The total latency distributions of save called by snapshot."
        )
        self.saveMarshallingSeconds = registry.histogram(
            name: "etcd_debugging_snap_save_marshalling_duration_seconds",
            buckets: latency,
            help: "The marshalling cost distributions of save called by snapshot."
        )
        self.fsyncSeconds = registry.histogram(
            name: "etcd_snap_fsync_duration_seconds",
            buckets: latency,
            help: "The latency distributions of fsync called by snap."
        )
        self.databaseFsyncSeconds = registry.histogram(
            name: "etcd_snap_db_fsync_duration_seconds",
            buckets: latency,
            help: "The latency distributions of fsyncing .snap.db file"
        )
        self.databaseSaveTotalSeconds = registry.histogram(
            name: "etcd_snap_db_save_total_duration_seconds",
            buckets: Buckets.exponential(start: 0.1, factor: 2, count: 10),
            help: "The total latency distributions of v3 snapshot save"
        )
    }
}
