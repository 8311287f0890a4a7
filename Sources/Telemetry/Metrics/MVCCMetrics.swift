import Prometheus

/// The `etcd_mvcc_*` and `etcd_debugging_mvcc_*` metrics: operation counts, keys, watchers, revisions
/// and the size of the database.
public struct MVCCMetrics: Sendable {
    public let rangeTotal: Counter
    private let rangeTotalDebugging: Counter
    public let putTotal: Counter
    public let deleteTotal: Counter
    public let txnTotal: Counter
    public let totalPutSizeBytes: Gauge
    public let keysTotal: Gauge
    public let watchStreamTotal: Gauge
    public let watcherTotal: Gauge
    public let slowWatcherTotal: Gauge
    private let eventsTotal: Counter
    private let pendingEventsTotal: Gauge
    public let dbTotalSizeBytes: Gauge
    public let dbTotalSizeInUseBytes: Gauge
    public let dbOpenReadTransactions: Gauge
    public let currentRevision: Gauge
    public let compactRevision: Gauge
    public let hashSeconds: ValueHistogram
    public let hashRevisionSeconds: ValueHistogram

    /// Sets the operation counters to the store's running totals (only a scrape's sampler writes them).
    public func setOperationCounts(ranges: Int, puts: Int, deletes: Int, txns: Int) {
        for (counter, total) in [(self.rangeTotal, ranges), (self.rangeTotalDebugging, ranges), (self.putTotal, puts), (self.deleteTotal, deletes), (self.txnTotal, txns)] {
            counter.setTotal(Double(total))
        }
    }

    /// Sets the watch event series to the store's running counts: events taken to be sent to watchers'
    /// clients, and events queued for that and not yet taken (only a scrape's sampler writes them).
    public func setWatchEventCounts(sent: Int, pending: Int) {
        self.eventsTotal.setTotal(Double(sent))
        self.pendingEventsTotal.set(to: Double(pending))
    }

    init(registry: PrometheusCollectorRegistry) {
        self.rangeTotal = registry.counter(name: "etcd_mvcc_range_total", help: "Total number of ranges seen by this member.")
        self.rangeTotalDebugging = registry.counter(
            name: "etcd_debugging_mvcc_range_total",
            help: "Total number of ranges seen by this member."
        )
        self.putTotal = registry.counter(name: "etcd_mvcc_put_total", help: "Total number of puts seen by this member.")
        self.deleteTotal = registry.counter(
            name: "etcd_mvcc_delete_total",
            help: "Total number of deletes seen by this member."
        )
        self.txnTotal = registry.counter(name: "etcd_mvcc_txn_total", help: "Total number of txns seen by this member.")
        self.totalPutSizeBytes = registry.gauge(
            name: "etcd_debugging_mvcc_total_put_size_in_bytes",
            help: "The total size of put kv pairs seen by this member."
        )
        self.keysTotal = registry.gauge(name: "etcd_debugging_mvcc_keys_total", help: "Total number of keys.")
        self.watchStreamTotal = registry.gauge(
            name: "etcd_debugging_mvcc_watch_stream_total",
            help: "Total number of watch streams."
        )
        self.watcherTotal = registry.gauge(name: "etcd_debugging_mvcc_watcher_total", help: "Total number of watchers.")
        self.slowWatcherTotal = registry.gauge(
            name: "etcd_debugging_mvcc_slow_watcher_total",
            help: "Total number of unsynced slow watchers."
        )
        self.eventsTotal = registry.counter(
            name: "etcd_debugging_mvcc_events_total",
            help: "Total number of events sent by this member."
        )
        self.pendingEventsTotal = registry.gauge(
            name: "etcd_debugging_mvcc_pending_events_total",
            help: "Total number of pending events to be sent."
        )
        self.dbTotalSizeBytes = registry.gauge(
            name: "etcd_mvcc_db_total_size_in_bytes",
            help: "Total size of the underlying database physically allocated in bytes."
        )
        self.dbTotalSizeInUseBytes = registry.gauge(
            name: "etcd_mvcc_db_total_size_in_use_in_bytes",
            help: "Total size of the underlying database logically in use in bytes."
        )
        self.dbOpenReadTransactions = registry.gauge(
            name: "etcd_mvcc_db_open_read_transactions",
            help: "The number of currently open read transactions"
        )
        self.currentRevision = registry.gauge(
            name: "etcd_debugging_mvcc_current_revision",
            help: "The current revision of store."
        )
        self.compactRevision = registry.gauge(
            name: "etcd_debugging_mvcc_compact_revision",
            help: "The revision of the last compaction in store."
        )
        let hashLatency = Buckets.exponential(start: 0.01, factor: 2, count: 15)
        self.hashSeconds = registry.histogram(
            name: "etcd_mvcc_hash_duration_seconds",
            buckets: hashLatency,
            help: "The latency distribution of storage hash operation."
        )
        self.hashRevisionSeconds = registry.histogram(
            name: "etcd_mvcc_hash_rev_duration_seconds",
            buckets: hashLatency,
            help: "The latency distribution of storage hash by revision operation."
        )
    }
}
