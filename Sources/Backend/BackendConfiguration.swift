/// How a `Backend` opens its LMDB environment and batches its writes.
public struct BackendConfiguration: Sendable {
    /// etcd's default `--quota-backend-bytes`: 2 GiB.
    public static let defaultQuotaBytes: Int64 = 2 * 1024 * 1024 * 1024
    /// The map used when the quota is disabled (negative): etcd's suggested maximum quota, 8 GiB.
    public static let unlimitedQuotaMapBytes: Int64 = 8 * 1024 * 1024 * 1024
    /// The least headroom above the quota: room for the pages of the batch in flight, the copies LMDB
    /// makes of every page a transaction touches, and the deletes and compactions that free space
    /// after the server raised its NOSPACE alarm.
    public static let minimumHeadroomBytes: Int64 = 512 * 1024 * 1024
    /// etcd's backend batch interval: a write transaction is committed at least this often.
    public static let defaultBatchInterval: Duration = .milliseconds(100)
    /// etcd's backend batch limit: a write transaction is committed after this many operations.
    public static let defaultBatchLimitOperations = 10_000
    /// Reader slots: every open read view holds one, and idle read transactions kept for reuse too.
    public static let defaultMaxReaders = 1024
    /// The databases etcd keeps in its bolt file (its bucket names, so `hash` covers the same names),
    /// plus `keyIndex` for the MVCC key index when it is persisted.
    public static let etcdDatabaseNames = [
        "alarm", "auth", "authRoles", "authUsers", "cluster", "key", "keyIndex", "lease", "members",
        "members_removed", "meta",
    ]

    /// Path of the data file. LMDB runs with `MDB_NOSUBDIR`: the lock file is this path plus "-lock".
    public var path: String
    /// The backend quota the server enforces (`--quota-backend-bytes`); 0 means etcd's default and a
    /// negative value means no quota. It only sizes the memory map: the NOSPACE logic is the server's.
    public var quotaBytes: Int64
    /// The LMDB map size: the largest the data file may grow. Derived from the quota unless overridden.
    public var mapSizeBytes: Int64
    /// A write transaction is committed once it is this old, when its owner calls `commitIfDue`.
    public var batchInterval: Duration
    /// A write transaction is committed once it holds this many operations, when its owner calls
    /// `commitIfDue`.
    public var batchLimitOperations: Int
    /// The named databases to create and open.
    public var databaseNames: [String]
    /// The number of LMDB reader slots.
    public var maxReaders: Int

    /// A configuration for the data file at `path` and the given quota, with etcd's batching defaults.
    public init(path: String, quotaBytes: Int64 = 0) {
        self.path = path
        self.quotaBytes = quotaBytes
        self.mapSizeBytes = Self.mapSize(forQuotaBytes: quotaBytes)
        self.batchInterval = Self.defaultBatchInterval
        self.batchLimitOperations = Self.defaultBatchLimitOperations
        self.databaseNames = Self.etcdDatabaseNames
        self.maxReaders = Self.defaultMaxReaders
    }

    /// The map size for a quota: the quota plus a quarter of it as headroom, at least
    /// `minimumHeadroomBytes`, rounded up to a 1 MiB multiple (a multiple of any OS page size).
    public static func mapSize(forQuotaBytes quotaBytes: Int64) -> Int64 {
        if quotaBytes < 0 {
            return unlimitedQuotaMapBytes
        }
        let quota = quotaBytes == 0 ? defaultQuotaBytes : quotaBytes
        let headroom = max(quota / 4, minimumHeadroomBytes)
        let mebibyte: Int64 = 1024 * 1024
        return (quota + headroom + mebibyte - 1) / mebibyte * mebibyte
    }
}
