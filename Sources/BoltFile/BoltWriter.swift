#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a bbolt 1.3 file, the format of etcd's snapshots, from buckets given one after another in
/// ascending name order, each as its keys in ascending byte order.
///
/// Memory stays bounded: leaf pages go out as they fill, and only one reference per written leaf (its
/// first key and page id) is kept until the bucket's branch levels are written. Small buckets (at most a
/// quarter page of entries) are stored inline in the root bucket, like Go's. Into a file, the meta pages
/// are written last, so a file whose `finish()` did not complete is not a valid database. As a stream
/// (``init(layout:blockBytes:output:)``), the meta pages come first, from a ``BoltLayout`` planned over
/// the same contents, and the whole file goes out in order while it is made.
///
///     let writer = try BoltWriter(path: "snapshot.db")
///     try writer.beginBucket(Array("key".utf8))
///     try writer.put(key: revisionKey, value: keyValueBytes)
///     try writer.beginBucket(Array("meta".utf8))
///     try writer.put(key: Array("consistent_index".utf8), value: indexBytes)
///     let meta = try writer.finish()
///
/// Not thread-safe: one owner calls it. An I/O error leaves the writer failed; every later call throws.
public final class BoltWriter: BoltEntryReceiver {
    /// Choices a writer makes that readers accept either way.
    public struct Options: Sendable, Equatable {
        /// The page size in bytes: a power of two from 1024 to 65536. Go etcd on x86-64 Linux uses 4096.
        public var pageSizeBytes: Int
        /// Whether to write an empty freelist page (readable by every bbolt, and it makes bbolt's `Check`
        /// prove every page reachable) instead of the "no freelist" marker Go etcd on Linux writes.
        public var writesFreelistPage: Bool
        /// The transaction id of meta page 0; meta page 1 gets one less, as in Go's snapshots.
        public var transactionID: UInt64

        /// Go etcd's page size, an empty freelist page, and transaction ids 2 and 1.
        public init(pageSizeBytes: Int = 4096, writesFreelistPage: Bool = true, transactionID: UInt64 = 2) {
            self.pageSizeBytes = pageSizeBytes
            self.writesFreelistPage = writesFreelistPage
            self.transactionID = transactionID
        }
    }

    private enum State {
        case writing
        case finished
        case failed
    }

    private let options: Options
    private let sink: PageSink
    private let ownsDescriptor: Bool
    private let layout: BoltLayout?
    private var state = State.writing
    private var root = TreeBuilder()
    private var bucketName: [UInt8]?
    private var bucket = BucketBuilder()
    private var lastKey: [UInt8]?

    /// Writes into `fileDescriptor`, a seekable file open for writing, from offset 0; `finish()` cuts the
    /// file to the database's size. The descriptor stays open and is the caller's to close.
    /// Throws `misuse` for an unsupported page size or a transaction id below 1.
    public init(fileDescriptor: Int32, options: Options = Options()) throws(BoltError) {
        try Self.validate(options)
        self.options = options
        self.sink = PageSink(.file(descriptor: fileDescriptor), pageSizeBytes: options.pageSizeBytes)
        self.ownsDescriptor = false
        self.layout = nil
    }

    /// Creates (or truncates) the file at `path` with mode 0600 and writes into it; the file is closed
    /// by `finish()` or when the writer is dropped.
    public init(path: String, options: Options = Options()) throws(BoltError) {
        try Self.validate(options)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw BoltError.system("open \(path)", errno: errno)
        }
        self.options = options
        self.sink = PageSink(.file(descriptor: descriptor), pageSizeBytes: options.pageSizeBytes)
        self.ownsDescriptor = true
        self.layout = nil
    }

    /// Streams the file in order: `output` gets blocks of at least `blockBytes` (the last may be shorter)
    /// and returns false to stop the writer (every later call throws `io`). The meta pages go out first,
    /// from `layout`, which must have been planned over exactly the contents this writer is then given:
    /// `finish()` throws `misuse` when they turn out different.
    public init(layout: BoltLayout, blockBytes: Int = 1 << 20, output: @escaping ([UInt8]) -> Bool) throws(BoltError) {
        try Self.validate(layout.options)
        let stream = PageStream(blockBytes: blockBytes, output: output)
        self.options = layout.options
        self.sink = PageSink(.stream(stream), pageSizeBytes: layout.options.pageSizeBytes)
        self.ownsDescriptor = false
        self.layout = layout
        try self.run { () throws(BoltError) in
            try self.sink.write(layout.meta(transactionID: layout.options.transactionID).pageImage(pageID: 0), atPage: 0)
            try self.sink.write(layout.meta(transactionID: layout.options.transactionID - 1).pageImage(pageID: 1), atPage: 1)
        }
    }

    deinit {
        if self.ownsDescriptor, self.state != .finished, case .file(let descriptor) = self.sink.destination {
            close(descriptor)
        }
    }

    /// Ends the current bucket, if any, and starts the bucket `name`, which must sort after the previous
    /// bucket's name. Throws `keyOutOfOrder`, `duplicateKey` or `invalidEntry` (empty or too long name).
    public func beginBucket(_ name: [UInt8]) throws(BoltError) {
        try self.run { () throws(BoltError) in
            try Self.validate(key: name, valueBytes: 0)
            if let previous = self.bucketName {
                try Self.checkOrder(previous, name, what: "bucket name")
                try self.endBucket()
            }
            self.bucketName = name
            self.bucket = BucketBuilder()
            self.lastKey = nil
        }
    }

    /// Adds `key` with `value` to the current bucket. Keys must ascend strictly (unsigned bytewise, a
    /// prefix first). Throws `keyOutOfOrder`, `duplicateKey`, `invalidEntry` (empty key, key over
    /// 32768 bytes, value over 2³¹−2 bytes) or `misuse` (no bucket begun); a rejected entry changes nothing.
    public func put(key: [UInt8], value: [UInt8]) throws(BoltError) {
        try key.withBytes { (key) throws(BoltError) in
            try value.withBytes { (value) throws(BoltError) in
                try self.put(key: key, value: value)
            }
        }
    }

    /// ``put(key:value:)`` from buffers read during the call only (what a database cursor hands out).
    public func put(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws(BoltError) {
        try self.run { () throws(BoltError) in
            let key = Array(key)
            guard self.bucketName != nil else {
                throw BoltError(.misuse, "put before beginBucket")
            }
            try Self.validate(key: key, valueBytes: value.count)
            if let previous = self.lastKey {
                try Self.checkOrder(previous, key, what: "key")
            }
            try key.withBytes { (key) throws(BoltError) in
                try self.bucket.append(key: key, value: value, into: self.sink)
            }
            self.lastKey = key
        }
    }

    /// Ends the last bucket, writes the root bucket's tree, the freelist page and both meta pages, cuts
    /// the file to its size and fsyncs it; a stream hands over its last block instead. Returns the meta
    /// of page 0.
    @discardableResult
    public func finish() throws(BoltError) -> BoltMeta {
        try self.run { () throws(BoltError) -> BoltMeta in
            if self.bucketName != nil {
                try self.endBucket()
                self.bucketName = nil
            }
            let rootPageID = try self.root.finish(into: self.sink)
            var freelistPageID: UInt64?
            if self.options.writesFreelistPage {
                var image = [UInt8](repeating: 0, count: PageLayout.headerBytes)
                image.storeLittleEndian(PageLayout.freelistFlag, at: 8)
                freelistPageID = try self.sink.appendNode(&image)
            }
            let written = BoltLayout(options: self.options, rootPageID: rootPageID, freelistPageID: freelistPageID, pageCount: self.sink.nextPageID)
            if let layout = self.layout {
                guard written == layout else {
                    throw BoltError(.misuse, "the contents differ from the planned layout (\(written.pageCount) pages, root \(written.rootPageID); planned \(layout.pageCount), root \(layout.rootPageID))")
                }
            } else {
                try self.sink.write(written.meta(transactionID: self.options.transactionID - 1).pageImage(pageID: 1), atPage: 1)
                try self.sink.write(written.meta(transactionID: self.options.transactionID).pageImage(pageID: 0), atPage: 0)
            }
            try self.sink.finish(pageCount: written.pageCount, sync: true)
            self.state = .finished
            if self.ownsDescriptor, case .file(let descriptor) = self.sink.destination, close(descriptor) != 0 {
                throw BoltError.system("close", errno: errno)
            }
            return written.meta(transactionID: self.options.transactionID)
        }
    }

    /// Runs a public operation: refuses it unless the writer is writing, and fails the writer when the
    /// file may be left inconsistent (an I/O error).
    private func run<T>(_ body: () throws(BoltError) -> T) throws(BoltError) -> T {
        switch self.state {
        case .finished: throw BoltError(.misuse, "the writer has finished")
        case .failed: throw BoltError(.misuse, "the writer failed earlier")
        case .writing: break
        }
        do {
            return try body()
        } catch {
            if error.code == .io {
                self.state = .failed
            }
            throw error
        }
    }

    private func endBucket() throws(BoltError) {
        guard let name = self.bucketName else { return }
        let value = try self.bucket.finish(into: self.sink)
        try name.withBytes { (name) throws(BoltError) in
            try value.withBytes { (value) throws(BoltError) in
                try self.root.append(flags: PageLayout.bucketElementFlag, key: name, value: value, into: self.sink)
            }
        }
    }

    static func validate(_ options: Options) throws(BoltError) {
        guard (1024...65536).contains(options.pageSizeBytes), PageLayout.isValidPageSize(options.pageSizeBytes) else {
            throw BoltError(.misuse, "page size \(options.pageSizeBytes) is not a power of two in 1024...65536")
        }
        guard options.transactionID >= 1 else {
            throw BoltError(.misuse, "transaction id must be at least 1")
        }
    }

    private static func validate(key: [UInt8], valueBytes: Int) throws(BoltError) {
        guard !key.isEmpty else {
            throw BoltError(.invalidEntry, "empty key")
        }
        guard key.count <= PageLayout.maxKeyBytes else {
            throw BoltError(.invalidEntry, "key of \(key.count) bytes exceeds \(PageLayout.maxKeyBytes)")
        }
        guard valueBytes <= PageLayout.maxValueBytes else {
            throw BoltError(.invalidEntry, "value of \(valueBytes) bytes exceeds \(PageLayout.maxValueBytes)")
        }
    }

    private static func checkOrder(_ previous: [UInt8], _ next: [UInt8], what: String) throws(BoltError) {
        switch KeyOrder.compare(previous, next) {
        case 0: throw BoltError(.duplicateKey, "duplicate \(what) \(BytePreview(next))")
        case 1: throw BoltError(.keyOutOfOrder, "\(what) \(BytePreview(next)) sorts before \(BytePreview(previous))")
        default: break
        }
    }
}
