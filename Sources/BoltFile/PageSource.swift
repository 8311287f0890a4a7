#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The reader's side of the file: reads nodes by page id with `pread`, checking each against the
/// high-water mark and its own header. Immutable, so cursors on several threads may share it.
final class PageSource: Sendable {
    let descriptor: Int32
    let ownsDescriptor: Bool
    let pageSizeBytes: Int
    let pageCount: UInt64

    init(descriptor: Int32, ownsDescriptor: Bool, pageSizeBytes: Int, pageCount: UInt64) {
        self.descriptor = descriptor
        self.ownsDescriptor = ownsDescriptor
        self.pageSizeBytes = pageSizeBytes
        self.pageCount = pageCount
    }

    deinit {
        if self.ownsDescriptor {
            close(self.descriptor)
        }
    }

    /// The node at `pageID`, with its overflow pages. Throws `pageOutOfBounds` when it (or its overflow)
    /// reaches the high-water mark, `pageIDMismatch` when its header names another id.
    func page(_ pageID: UInt64) throws(BoltError) -> Page {
        guard pageID < self.pageCount else {
            throw BoltError(.pageOutOfBounds, "referenced, but the high-water mark is \(self.pageCount)", page: pageID)
        }
        let offset = Int64(pageID) * Int64(self.pageSizeBytes)
        var bytes = try Self.read(self.descriptor, count: self.pageSizeBytes, at: offset)
        let headerID = bytes.loadLittleEndian(UInt64.self, at: 0)
        guard headerID == pageID else {
            throw BoltError(.pageIDMismatch, "header says page \(headerID)", page: pageID)
        }
        let overflow = UInt64(bytes.loadLittleEndian(UInt32.self, at: 12))
        guard overflow < self.pageCount - pageID else {
            throw BoltError(.pageOutOfBounds,
                            "\(overflow) overflow pages run past the high-water mark \(self.pageCount)", page: pageID)
        }
        if overflow > 0 {
            let rest = Int(overflow) * self.pageSizeBytes
            bytes += try Self.read(self.descriptor, count: rest, at: offset + Int64(self.pageSizeBytes))
        }
        return try Page(id: pageID, bytes: bytes)
    }

    /// Exactly `count` bytes at `offset`; throws `truncated` if the file ends first.
    static func read(_ descriptor: Int32, count: Int, at offset: Int64) throws(BoltError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let result = bytes.withUnsafeMutableBytes { buffer in
                let start = buffer.baseAddress.unsafelyUnwrapped + done
                return pread(descriptor, start, count - done, off_t(offset + Int64(done)))
            }
            if result < 0 {
                let code = errno
                if code == EINTR { continue }
                throw BoltError.system("pread", errno: code)
            }
            if result == 0 {
                throw BoltError(.truncated, "file ends at byte \(offset + Int64(done)), \(count - done) bytes short")
            }
            done += result
        }
        return bytes
    }
}
