#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The writer's side of the file: hands out page ids in increasing order and writes each page image as
/// it is made, either at its offset in a file (`pwrite`) or onto a ``PageStream`` in file order, so
/// nothing but the page being written (and the stream's current block) is held in memory.
final class PageSink {
    /// Where the pages go.
    enum Destination {
        case file(descriptor: Int32)
        case stream(PageStream)
    }

    let destination: Destination
    let pageSizeBytes: Int
    /// The next free page id; pages 0 and 1 are the meta pages.
    private(set) var nextPageID: UInt64 = 2

    init(_ destination: Destination, pageSizeBytes: Int) {
        self.destination = destination
        self.pageSizeBytes = pageSizeBytes
    }

    /// Gives a node image the next page ids: stamps its id and overflow into the header, pads it to
    /// whole pages with zeros and writes it. Returns the page id.
    func appendNode(_ image: inout [UInt8]) throws(BoltError) -> UInt64 {
        precondition(image.count >= PageLayout.headerBytes, "a node image starts with a page header")
        let pages = PageLayout.pages(forBytes: image.count, pageSize: self.pageSizeBytes)
        let pageID = self.nextPageID
        image.storeLittleEndian(pageID, at: 0)
        image.storeLittleEndian(UInt32(pages - 1), at: 12)
        image.append(contentsOf: repeatElement(0, count: pages * self.pageSizeBytes - image.count))
        try self.write(image, atPage: pageID)
        self.nextPageID += UInt64(pages)
        return pageID
    }

    /// Writes `bytes` starting at page `pageID`: anywhere in a file; on a stream, only where it has got to.
    func write(_ bytes: [UInt8], atPage pageID: UInt64) throws(BoltError) {
        switch self.destination {
        case .file(let descriptor):
            try Self.write(bytes, to: descriptor, at: Int64(pageID) * Int64(self.pageSizeBytes))
        case .stream(let stream):
            try stream.append(bytes, atPage: pageID, pageSizeBytes: self.pageSizeBytes)
        }
    }

    /// Ends the file at exactly `pageCount` pages: a file is cut there and, when `sync`, flushed to stable
    /// storage; a stream must have reached it, and hands over its last block.
    func finish(pageCount: UInt64, sync: Bool) throws(BoltError) {
        switch self.destination {
        case .file(let descriptor):
            if ftruncate(descriptor, off_t(Int64(pageCount) * Int64(self.pageSizeBytes))) != 0 {
                throw BoltError.system("ftruncate", errno: errno)
            }
            if sync && fsync(descriptor) != 0 {
                throw BoltError.system("fsync", errno: errno)
            }
        case .stream(let stream):
            try stream.finish(pageCount: pageCount)
        }
    }

    /// `pwrite`s all of `bytes` at `offset`, retrying short writes.
    private static func write(_ bytes: [UInt8], to descriptor: Int32, at offset: Int64) throws(BoltError) {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                pwrite(descriptor, buffer.baseAddress.unsafelyUnwrapped + written, buffer.count - written,
                       off_t(offset + Int64(written)))
            }
            if result < 0 {
                let code = errno
                if code == EINTR { continue }
                throw BoltError.system("pwrite", errno: code)
            }
            if result == 0 {
                throw BoltError(.io, "pwrite wrote nothing at offset \(offset + Int64(written))")
            }
            written += result
        }
    }
}
