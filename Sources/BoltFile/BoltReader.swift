#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a bbolt file as Go etcd 3.4, 3.5 and 3.6 write them (data files and snapshots), checking what
/// it reads.
///
/// Opening finds the page size (from meta page 0, or by probing for meta page 1 as bbolt 1.3.7+ does),
/// validates both meta pages (magic, version 2, FNV-64a checksum) and uses the valid one with the higher
/// transaction id. Entries are then read by walking trees from the root bucket with ``cursor(_:)``; pages
/// are never scanned in file order (Go's files hold stale copies of old pages). Trailing bytes past the
/// high-water mark, such as a snapshot's SHA-256 trailer, are ignored.
///
///     let reader = try BoltReader(path: "snapshot.db")
///     for bucket in try reader.buckets() {
///         var cursor = reader.cursor(bucket)
///         while let entry = try cursor.next() { ... }
///     }
///
/// Immutable; the file is read with `pread`, so cursors on different threads may share a reader.
public final class BoltReader: Sendable {
    /// The meta page in use.
    public let meta: BoltMeta
    /// The file's size in bytes when it was opened (at least ``BoltMeta/totalSizeBytes``).
    public let fileSizeBytes: Int64
    private let source: PageSource

    /// Opens the file at `path` read-only; it is closed when the reader and its cursors are gone.
    /// Throws `io`, `truncated`, `badMagic`, `badVersion`, `metaChecksum` or `invalidMeta`.
    public convenience init(path: String) throws(BoltError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw BoltError.system("open \(path)", errno: errno)
        }
        try self.init(descriptor: descriptor, ownsDescriptor: true)
    }

    /// Reads from `fileDescriptor`, open for reading; the descriptor stays the caller's and must stay
    /// open while the reader or a cursor is in use. Throws as ``init(path:)``.
    public convenience init(fileDescriptor: Int32) throws(BoltError) {
        try self.init(descriptor: fileDescriptor, ownsDescriptor: false)
    }

    private init(descriptor: Int32, ownsDescriptor: Bool) throws(BoltError) {
        let opened: (meta: BoltMeta, fileBytes: Int64)
        do {
            opened = try Self.readMeta(descriptor)
        } catch {
            if ownsDescriptor {
                close(descriptor)
            }
            throw error
        }
        self.meta = opened.meta
        self.fileSizeBytes = opened.fileBytes
        self.source = PageSource(descriptor: descriptor, ownsDescriptor: ownsDescriptor,
                                 pageSizeBytes: opened.meta.pageSizeBytes, pageCount: opened.meta.pageCount)
    }

    /// The root bucket, whose entries are the top-level buckets.
    public var rootBucket: BoltBucket { BoltBucket(name: [], rootPageID: self.meta.rootPageID) }

    /// A cursor over the entries of `bucket`, in key order.
    public func cursor(_ bucket: BoltBucket) -> BoltCursor {
        BoltCursor(source: self.source, root: bucket.root)
    }

    /// The nested bucket an entry with ``BoltEntry/isBucket`` stands for. Throws `misuse` for a plain
    /// entry and `malformedPage` for a value too short to be a bucket header.
    public func bucket(_ entry: BoltEntry) throws(BoltError) -> BoltBucket {
        guard entry.isBucket else {
            throw BoltError(.misuse, "entry \(BytePreview(entry.key)) is not a bucket", page: entry.pageID)
        }
        return try BoltBucket(name: entry.key, value: entry.value, pageID: entry.pageID)
    }

    /// The top-level buckets in name order. Throws `notABucket` if the root holds a plain key/value, as
    /// etcd's tools refuse such a file.
    public func buckets() throws(BoltError) -> [BoltBucket] {
        var buckets: [BoltBucket] = []
        var cursor = self.cursor(self.rootBucket)
        while let entry = try cursor.next() {
            guard entry.isBucket else {
                throw BoltError(.notABucket, "top-level key \(BytePreview(entry.key)) is not a bucket",
                                page: entry.pageID)
            }
            buckets.append(try self.bucket(entry))
        }
        return buckets
    }

    /// The top-level bucket called `name`, if there is one.
    public func bucket(named name: [UInt8]) throws(BoltError) -> BoltBucket? {
        try self.buckets().first { $0.name == name }
    }

    /// A cursor whose pages are marked in `tracker`, for whole-file checks.
    func cursor(_ bucket: BoltBucket, tracker: PageTracker) -> BoltCursor {
        BoltCursor(source: self.source, root: bucket.root, tracker: tracker)
    }

    /// The node at `pageID`, checked against its position and the high-water mark. For tests that
    /// inspect tree shape or find the bytes to damage; readers go through ``cursor(_:)``.
    @_spi(Testing) public func page(_ pageID: UInt64) throws(BoltError) -> Page {
        try self.source.page(pageID)
    }

    /// Finds the page size and picks the meta page to use.
    private static func readMeta(_ descriptor: Int32) throws(BoltError) -> (meta: BoltMeta, fileBytes: Int64) {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw BoltError.system("fstat", errno: errno)
        }
        let fileBytes = Int64(status.st_size)
        guard fileBytes >= Int64(BoltMeta.encodedBytes) else {
            throw BoltError(.truncated, "file of \(fileBytes) bytes is too small for a bbolt file")
        }
        let pageSize = try self.discoverPageSize(descriptor, fileBytes: fileBytes)
        guard PageLayout.isValidPageSize(pageSize) else {
            throw BoltError(.invalidMeta, "page size \(pageSize) is not a power of two in 1 KiB...16 MiB", page: 0)
        }
        guard fileBytes >= 2 * Int64(pageSize) else {
            throw BoltError(.truncated, "file of \(fileBytes) bytes is shorter than its two meta pages")
        }
        let first = try self.decodeMeta(descriptor, pageID: 0, pageSize: pageSize)
        let second = try self.decodeMeta(descriptor, pageID: 1, pageSize: pageSize)
        let chosen: (meta: BoltMeta, pageID: UInt64)
        switch (first, second) {
        case (.success(let zero), .success(let one)):
            chosen = one.transactionID > zero.transactionID ? (one, 1) : (zero, 0)
        case (.success(let zero), .failure):
            chosen = (zero, 0)
        case (.failure, .success(let one)):
            chosen = (one, 1)
        case (.failure(let error), .failure):
            throw error
        }
        guard chosen.meta.pageSizeBytes == pageSize else {
            throw BoltError(.invalidMeta, "page size \(chosen.meta.pageSizeBytes) differs from the \(pageSize) "
                            + "the file is laid out with", page: chosen.pageID)
        }
        try chosen.meta.validate(fileBytes: fileBytes, pageID: chosen.pageID)
        return (chosen.meta, fileBytes)
    }

    /// The page size from meta page 0, or when that is invalid from a valid meta page 1 found at 1 KiB,
    /// 2 KiB, … 16 MiB. Throws meta page 0's error when neither is found.
    private static func discoverPageSize(_ descriptor: Int32, fileBytes: Int64) throws(BoltError) -> Int {
        let head = try PageSource.read(descriptor, count: BoltMeta.encodedBytes, at: 0)
        let firstError: BoltError
        switch BoltMeta.decode(head, at: 0, pageID: 0) {
        case .success(let meta):
            return meta.pageSizeBytes
        case .failure(let error):
            firstError = error
        }
        var candidate = PageLayout.pageSizeRange.lowerBound
        while candidate <= PageLayout.pageSizeRange.upperBound,
              Int64(candidate + BoltMeta.encodedBytes) <= fileBytes {
            let bytes = try PageSource.read(descriptor, count: BoltMeta.encodedBytes, at: Int64(candidate))
            if case .success(let meta) = BoltMeta.decode(bytes, at: 0, pageID: 1), meta.pageSizeBytes == candidate {
                return candidate
            }
            candidate *= 2
        }
        throw firstError
    }

    private static func decodeMeta(_ descriptor: Int32, pageID: UInt64,
                                   pageSize: Int) throws(BoltError) -> Result<BoltMeta, BoltError> {
        let offset = Int64(pageID) * Int64(pageSize)
        let bytes = try PageSource.read(descriptor, count: BoltMeta.encodedBytes, at: offset)
        return BoltMeta.decode(bytes, at: 0, pageID: pageID)
    }
}
