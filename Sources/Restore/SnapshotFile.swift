import Crypto
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A snapshot file given to a restore: a bbolt file (what `etcdctl snapshot save` writes, from our member
/// or Go etcd, or a Go member's `member/snap/db`) or our member's own LMDB data file. A saved snapshot
/// ends with the SHA-256 of the rest; etcd recognises one by the size (a multiple of 512 plus 32).
public struct SnapshotFile: Sendable {
    /// How the file stores the backend.
    public enum Format: Sendable {
        /// etcd's bbolt format.
        case bbolt
        /// Our member's LMDB data file.
        case lmdb
    }

    public let path: String
    public let format: Format
    /// The file's size, trailer included.
    public let sizeBytes: Int64

    private static let trailerBytes: Int64 = 32
    /// LMDB's magic number, the first field of the meta page after its 16-byte page header.
    private static let lmdbMagic: [UInt8] = [0xDE, 0xC0, 0xEF, 0xBE]

    /// Opens `path` to look at its size and format. Throws etcd's `open`/`stat` messages.
    public init(path: String) throws(RestoreError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw RestoreError("open \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw RestoreError("stat \(path): \(String(cString: strerror(errno)))") }
        guard status.st_mode & S_IFMT == S_IFREG else { throw RestoreError("read \(path): is a directory") }
        var head = [UInt8](repeating: 0, count: 20)
        let read = pread(descriptor, &head, head.count, 0)
        self.path = path
        self.sizeBytes = Int64(status.st_size)
        self.format = read == head.count && Array(head[16..<20]) == Self.lmdbMagic ? .lmdb : .bbolt
    }

    /// Whether the file ends with a SHA-256 trailer, by etcd's rule.
    public var hasTrailer: Bool { self.sizeBytes % 512 == Self.trailerBytes }

    /// The bytes of the backend: all but the trailer.
    public var contentBytes: Int64 { self.hasTrailer ? self.sizeBytes - Self.trailerBytes : self.sizeBytes }

    /// etcd's check before a restore: a file without a trailer is refused unless `skipHashCheck`; a
    /// trailer must match the SHA-256 of the rest unless `skipHashCheck`.
    public func verifyTrailer(skipHashCheck: Bool) throws(RestoreError) {
        guard self.hasTrailer else {
            if skipHashCheck { return }
            throw RestoreError("snapshot missing hash but --skip-hash-check=false")
        }
        guard !skipHashCheck else { return }
        let descriptor = open(self.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw RestoreError("open \(self.path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var hash = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var offset: Int64 = 0
        while offset < self.contentBytes {
            let want = Int(min(Int64(buffer.count), self.contentBytes - offset))
            let got = try Self.read(descriptor, into: &buffer, count: want, at: offset, path: self.path)
            buffer.withUnsafeBytes { hash.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[..<got])) }
            offset += Int64(got)
        }
        var trailer = [UInt8](repeating: 0, count: Int(Self.trailerBytes))
        _ = try Self.read(descriptor, into: &trailer, count: trailer.count, at: self.contentBytes, path: self.path)
        let actual = Array(hash.finalize())
        guard actual == trailer else {
            throw RestoreError("expected sha256 \(Self.goBytes(trailer)), got \(Self.goBytes(actual))")
        }
    }

    /// Reads exactly `count` bytes at `offset`.
    static func read(_ descriptor: Int32, into buffer: inout [UInt8], count: Int, at offset: Int64, path: String) throws(RestoreError) -> Int {
        var filled = 0
        while filled < count {
            let got = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + filled, count - filled, off_t(offset) + off_t(filled)) }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { throw RestoreError("read \(path): \(got < 0 ? String(cString: strerror(errno)) : "unexpected EOF")") }
            filled += got
        }
        return filled
    }

    /// Go's `%v` of a byte slice: `[1 2 3]`.
    private static func goBytes(_ bytes: [UInt8]) -> String {
        "[" + bytes.map { String($0) }.joined(separator: " ") + "]"
    }
}
