import Checksums

/// What etcd's `etcdctl snapshot status` (3.4) and `etcdutl snapshot status` (3.5) report for a bbolt
/// file, computed the same way so that a Swift `snapshot status` can print the same numbers.
///
/// HASH is a CRC-32C (Castagnoli) running over each top-level bucket in name order: the bucket's name,
/// then for each of its entries the key and then the value (a nested bucket adds its key only). It depends
/// on content alone, not on page layout. REVISION is the main revision (first 8 bytes, big-endian) of
/// the last key in bucket `key`, 0 without one. TOTAL KEYS counts the entries of all top-level buckets.
/// TOTAL SIZE is the high-water mark times the page size, not the file size.
public struct SnapshotStatus: Sendable, Hashable {
    /// The CRC-32C of bucket names, keys and values; Go prints it as lowercase hex without padding.
    public var hash: UInt32
    /// The main revision of the last entry of bucket `key`.
    public var revision: Int64
    /// The number of entries in all top-level buckets.
    public var totalKeys: Int
    /// `pageCount × pageSize` in bytes.
    public var totalSizeBytes: Int64

    /// A status with the given fields, as a printer or a test builds one.
    public init(hash: UInt32, revision: Int64, totalKeys: Int, totalSizeBytes: Int64) {
        self.hash = hash
        self.revision = revision
        self.totalKeys = totalKeys
        self.totalSizeBytes = totalSizeBytes
    }

    /// The status of the file at `path`; throws as ``init(reader:)`` and ``BoltReader/init(path:)``.
    public init(path: String) throws(BoltError) {
        try self.init(reader: try BoltReader(path: path))
    }

    /// The status of the file `reader` reads, after ``BoltReader/check()`` as Go runs its integrity check
    /// first. Throws the check's errors, `notABucket` for a plain top-level key (Go: "cannot get hash of
    /// bucket") and `badRevisionKey` for a `key`-bucket key shorter than 17 bytes (Go panics on those).
    public init(reader: BoltReader) throws(BoltError) {
        try reader.check()
        var crc = CRC32C()
        var revision: Int64 = 0
        var totalKeys = 0
        for bucket in try reader.buckets() {
            crc.update(bucket.name)
            let isKeyBucket = bucket.name == Array("key".utf8)
            var cursor = reader.cursor(bucket)
            while let entry = try cursor.next() {
                crc.update(entry.key)
                if !entry.isBucket {
                    crc.update(entry.value)
                }
                if isKeyBucket {
                    revision = try Self.mainRevision(entry)
                }
                totalKeys += 1
            }
        }
        self.init(hash: crc.value, revision: revision, totalKeys: totalKeys, totalSizeBytes: reader.meta.totalSizeBytes)
    }

    /// The main revision in a revision key: 8 bytes big-endian, `_`, 8 bytes of sub revision.
    private static func mainRevision(_ entry: BoltEntry) throws(BoltError) -> Int64 {
        guard entry.key.count >= 17 else {
            throw BoltError(.badRevisionKey, "key \(BytePreview(entry.key)) in bucket \"key\" is shorter than a "
                            + "17-byte revision", page: entry.pageID)
        }
        let main = entry.key[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Int64(bitPattern: main)
    }
}
