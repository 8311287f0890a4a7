import EtcdProto

/// Where the key index lives.
public enum KeyIndexKind: String, Sendable, CaseIterable {
    /// In memory, rebuilt on open by scanning the key database (etcd's `treeIndex`). The default: see
    /// docs/ARCHITECTURE.md for the measurements behind it.
    case memory
    /// In the backend's `keyIndex` database: instant open and small memory, slower writes and ranges.
    case persisted
}

/// Tunables of a `KVStore`.
public struct StoreConfiguration: Sendable {
    /// etcd's `--experimental-compaction-batch-limit` default: revisions (or keys) per compaction step.
    public static let defaultCompactionBatchLimit = 1000
    /// How often unsynced watchers catch up when nothing wakes them earlier (etcd's 100 ms).
    public static let defaultWatchSyncInterval: Duration = .milliseconds(100)
    /// Distinct revisions sent to a catching-up watcher in one response (etcd's `watchBatchMaxRevs`).
    public static let defaultWatchBatchMaxRevisions = 1000
    /// Unsynced watchers served per catch-up round (etcd's `maxWatchersPerSync`).
    public static let defaultMaxWatchersPerSync = 512
    /// Responses a watch stream buffers for its consumer (etcd's `chanBufLen`).
    public static let defaultWatchStreamCapacity = 128

    /// Revisions deleted (or index keys compacted) per compaction step.
    public var compactionBatchLimit: Int
    /// Where the key index lives.
    public var keyIndex: KeyIndexKind
    /// Period of the watch catch-up loop.
    public var watchSyncInterval: Duration
    /// Distinct revisions per catch-up response.
    public var watchBatchMaxRevisions: Int
    /// Watchers per catch-up round.
    public var maxWatchersPerSync: Int
    /// Where the store counts its operations (shared with the store's successors after a snapshot).
    public var statistics: KVStatistics
    /// Told when a catch-up round cannot read the history (the round is retried on the next tick; a
    /// store closed meanwhile is not reported). The member logs it.
    public var watchSyncFailed: (@Sendable (KVError) -> Void)?
    /// Told what each compaction step did (apply thread); the member records etcd's compaction metrics.
    public var compactionObserver: (@Sendable (CompactionStep) -> Void)?

    /// etcd's defaults with the in-memory key index.
    public init(keyIndex: KeyIndexKind = .memory) {
        compactionBatchLimit = Self.defaultCompactionBatchLimit
        self.keyIndex = keyIndex
        watchSyncInterval = Self.defaultWatchSyncInterval
        statistics = KVStatistics()
        watchBatchMaxRevisions = Self.defaultWatchBatchMaxRevisions
        maxWatchersPerSync = Self.defaultMaxWatchersPerSync
    }
}

/// The Raft position of the last entry applied to the store: stored in the `meta` database in the same
/// LMDB transaction as the data it covers, so replay after a crash starts right after it.
public struct ConsistentIndex: Sendable, Equatable {
    /// The Raft log index.
    public var index: UInt64
    /// The Raft term of that entry.
    public var term: UInt64

    /// The position `index` in `term`.
    public init(index: UInt64, term: UInt64) {
        self.index = index
        self.term = term
    }
}

/// Options of a range read.
public struct RangeOptions: Sendable, Equatable {
    /// Return at most this many keys; 0 for all.
    public var limit: Int64
    /// Read at this revision; 0 (or less) for the current one.
    public var revision: Int64
    /// Count the keys without returning them.
    public var countOnly: Bool

    /// Options for `limit` keys at `revision`.
    public init(limit: Int64 = 0, revision: Int64 = 0, countOnly: Bool = false) {
        self.limit = limit
        self.revision = revision
        self.countOnly = countOnly
    }
}

/// The answer to a range read.
public struct RangeResult: Sendable, Equatable {
    /// The keys found, in key order, at most `limit` of them.
    public var kvs: [Mvccpb_KeyValue]
    /// How many keys the range holds at the revision read, whatever the limit.
    public var count: Int
    /// The store's current revision when the read ran (the response header's revision).
    public var revision: Int64
}

/// The answer to a range read whose key-values stay as stored: each one's bytes framed as a field of the
/// message they go into (``KVStore/encodedRange(_:options:field:)``).
public struct EncodedKeyValues: Sendable, Equatable {
    /// The key-values found, in key order, each as its field's tag, length and stored bytes.
    public var bytes: [UInt8]
    /// How many keys the range holds at the revision read, whatever the limit.
    public var total: Int
    /// The store's current revision when the read ran (the response header's revision).
    public var revision: Int64
}
