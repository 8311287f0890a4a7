import Prometheus

/// etcd's metrics of history compaction: the pauses it imposes on writes while it compacts the key index
/// and deletes old revisions, its whole duration, the revisions it deleted and when it last finished.
/// Pauses and durations are in whole milliseconds, as etcd records them.
public struct CompactionMetrics: Sendable {
    public let indexPauseMilliseconds: ValueHistogram
    public let databasePauseMilliseconds: ValueHistogram
    public let databaseTotalMilliseconds: ValueHistogram
    public let keysTotal: Counter
    /// Unix time of the last finished compaction; 0 until one finishes after the start.
    public let last: Gauge

    init(registry: PrometheusCollectorRegistry) {
        self.indexPauseMilliseconds = registry.histogram(
            name: "etcd_debugging_mvcc_index_compaction_pause_duration_milliseconds",
            buckets: Buckets.exponential(start: 0.5, factor: 2, count: 14),
            help: "Bucketed histogram of index compaction pause duration."
        )
        self.databasePauseMilliseconds = registry.histogram(
            name: "etcd_debugging_mvcc_db_compaction_pause_duration_milliseconds",
            buckets: Buckets.exponential(start: 1, factor: 2, count: 13),
            help: "Bucketed histogram of db compaction pause duration."
        )
        self.databaseTotalMilliseconds = registry.histogram(
            name: "etcd_debugging_mvcc_db_compaction_total_duration_milliseconds",
            buckets: Buckets.exponential(start: 100, factor: 2, count: 14),
            help: "Bucketed histogram of db compaction total duration."
        )
        self.keysTotal = registry.counter(
            name: "etcd_debugging_mvcc_db_compaction_keys_total",
            help: "Total number of db keys compacted."
        )
        self.last = registry.gauge(
            name: "etcd_debugging_mvcc_db_compaction_last",
            help: "The unix time of the last db compaction. Resets to 0 on start."
        )
    }
}
