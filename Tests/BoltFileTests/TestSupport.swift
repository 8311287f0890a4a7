import Foundation
import Testing

@_spi(Testing) import BoltFile

/// A bucket's name and entries, in order: the input to the writer and the output of the reader.
struct BucketContent: Equatable {
    var name: [UInt8]
    var entries: [Entry]

    struct Entry: Equatable {
        var key: [UInt8]
        var value: [UInt8]
    }
}

/// A directory under the system temp dir, removed by `remove()`.
struct TempDirectory {
    let path: String

    init() throws {
        let template = NSTemporaryDirectory() + "boltfile-test-XXXXXX"
        var bytes = Array(template.utf8CString)
        guard let result = mkdtemp(&bytes) else {
            throw POSIXError(.EIO)
        }
        self.path = String(cString: result)
    }

    func file(_ name: String) -> String { self.path + "/" + name }

    func remove() {
        try? FileManager.default.removeItem(atPath: self.path)
    }
}

/// Runs `body` with a fresh temp directory that is removed afterwards, whatever happens.
func withTempDirectory<T>(_ body: (TempDirectory) throws -> T) throws -> T {
    let directory = try TempDirectory()
    defer { directory.remove() }
    return try body(directory)
}

/// A small seeded generator (SplitMix64) so that a failing case replays from its seed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        self.state = seed
    }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) }
    }
}

extension Array where Element == UInt8 {
    init(_ text: String) { self = Array(text.utf8) }
}

/// The longest key bbolt accepts, in bytes, as ``BoltWriter/put(key:value:)`` documents it.
let maxKeyBytes = 32768

/// etcd's revision key: main (u64 big-endian), `_`, sub (u64 big-endian).
func revisionKey(_ main: Int64, sub: Int64 = 0) -> [UInt8] {
    var key = [UInt8]()
    for shift in stride(from: 56, through: 0, by: -8) { key.append(UInt8(truncatingIfNeeded: main >> Int64(shift))) }
    key.append(0x5F)
    for shift in stride(from: 56, through: 0, by: -8) { key.append(UInt8(truncatingIfNeeded: sub >> Int64(shift))) }
    return key
}

/// A bucket called `name`.
func bucket(_ name: String, _ entries: [BucketContent.Entry] = []) -> BucketContent {
    BucketContent(name: [UInt8](name), entries: entries)
}

/// Entries keyed by the revision keys of `mains` (sub 0), with values made by `value`.
func revisions(_ mains: ClosedRange<Int>, value: (Int) -> [UInt8]) -> [BucketContent.Entry] {
    mains.map { BucketContent.Entry(key: revisionKey(Int64($0)), value: value($0)) }
}

/// The main revision of the last revision key in `entries`, 0 without entries.
func lastMainRevision(_ entries: [BucketContent.Entry]) -> Int64 {
    let main = entries.last?.key.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    return Int64(bitPattern: main ?? 0)
}

/// Writes `buckets` (already sorted) to `path`.
@discardableResult
func writeFile(_ path: String, _ buckets: [BucketContent],
               options: BoltWriter.Options = BoltWriter.Options()) throws -> BoltMeta {
    let writer = try BoltWriter(path: path, options: options)
    for bucket in buckets {
        try writer.beginBucket(bucket.name)
        for entry in bucket.entries {
            try writer.put(key: entry.key, value: entry.value)
        }
    }
    return try writer.finish()
}

/// Everything in the file at `path`, read through the top-level buckets' cursors.
func readFile(_ path: String) throws -> [BucketContent] {
    let reader = try BoltReader(path: path)
    return try reader.buckets().map { bucket in
        var cursor = reader.cursor(bucket)
        var entries: [BucketContent.Entry] = []
        while let entry = try cursor.next() {
            entries.append(BucketContent.Entry(key: entry.key, value: entry.value))
        }
        return BucketContent(name: bucket.name, entries: entries)
    }
}

/// The error `body` throws, which must be a `BoltError`.
func boltError(_ body: () throws -> Void) -> BoltError? {
    do {
        try body()
        return nil
    } catch let error as BoltError {
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

/// Byte-level edits of a written file, for the damage tests.
struct FileBytes {
    let path: String
    var bytes: [UInt8]

    init(_ path: String) throws {
        self.path = path
        self.bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    func save() throws {
        try Data(self.bytes).write(to: URL(fileURLWithPath: self.path))
    }

    /// The little-endian integer at `offset`.
    func load<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
        precondition(offset >= 0 && offset + MemoryLayout<T>.size <= self.bytes.count, "load outside the file")
        return self.bytes.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
    }

    /// Overwrites the bytes at `offset` with `value`, little-endian.
    mutating func store<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        precondition(offset >= 0 && offset + MemoryLayout<T>.size <= self.bytes.count, "store outside the file")
        self.bytes.withUnsafeMutableBytes { $0.storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self) }
    }

    /// Rewrites meta page `pageID` from `meta` with a correct checksum.
    mutating func rewriteMeta(_ meta: BoltMeta, pageID: UInt64) {
        let image = meta.pageImage(pageID: pageID)
        let start = Int(pageID) * meta.pageSizeBytes
        self.bytes.replaceSubrange(start..<(start + image.count), with: image)
    }
}
