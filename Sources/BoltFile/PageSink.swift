#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The writer's side of the file: hands out page ids in increasing order and writes each page image at
/// its offset with `pwrite`, so nothing but the page being written is held in memory.
final class PageSink {
    let descriptor: Int32
    let pageSizeBytes: Int
    /// The next free page id; pages 0 and 1 are the meta pages, written last.
    private(set) var nextPageID: UInt64 = 2

    init(descriptor: Int32, pageSizeBytes: Int) {
        self.descriptor = descriptor
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

    /// Writes `bytes` starting at page `pageID`, retrying short writes.
    func write(_ bytes: [UInt8], atPage pageID: UInt64) throws(BoltError) {
        let start = Int64(pageID) * Int64(self.pageSizeBytes)
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                pwrite(self.descriptor, buffer.baseAddress.unsafelyUnwrapped + written, buffer.count - written,
                       off_t(start + Int64(written)))
            }
            if result < 0 {
                let code = errno
                if code == EINTR { continue }
                throw BoltError.system("pwrite", errno: code)
            }
            if result == 0 {
                throw BoltError(.io, "pwrite wrote nothing at offset \(start + Int64(written))")
            }
            written += result
        }
    }

    /// Cuts the file to exactly `pageCount` pages and, when `sync`, flushes it to stable storage.
    func finish(pageCount: UInt64, sync: Bool) throws(BoltError) {
        if ftruncate(self.descriptor, off_t(Int64(pageCount) * Int64(self.pageSizeBytes))) != 0 {
            throw BoltError.system("ftruncate", errno: errno)
        }
        if sync && fsync(self.descriptor) != 0 {
            throw BoltError.system("fsync", errno: errno)
        }
    }
}
