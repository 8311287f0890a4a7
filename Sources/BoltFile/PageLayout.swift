/// The fixed numbers of bbolt 1.3's on-disk format (all integers little-endian).
///
/// Every page starts with a 16-byte header: id u64, flags u16, count u16, overflow u32. Branch and leaf
/// pages follow it with `count` 16-byte elements, then the key and value bytes those elements point at
/// (an element's `pos` is measured from the element's own start).
enum PageLayout {
    static let headerBytes = 16
    static let elementBytes = 16
    /// A bucket's value starts with its root page id and sequence (u64 each).
    static let bucketHeaderBytes = 16

    static let branchFlag: UInt16 = 0x01
    static let leafFlag: UInt16 = 0x02
    static let metaFlag: UInt16 = 0x04
    static let freelistFlag: UInt16 = 0x10
    /// The leaf element flag marking a value that is a bucket.
    static let bucketElementFlag: UInt32 = 0x01

    static let magic: UInt32 = 0xED0C_DAED
    static let version: UInt32 = 2
    /// `meta.freelist` when no freelist page was written (Go etcd on Linux always writes this).
    static let noFreelist: UInt64 = .max
    /// A freelist page's count field holds this when the real count is in the first u64 after the header.
    static let freelistCountEscape = 0xFFFF

    /// bbolt refuses keys longer than this.
    static let maxKeyBytes = 32768
    /// bbolt refuses values longer than this.
    static let maxValueBytes = (1 << 31) - 2
    /// Page sizes a file may declare: a power of two in this range (bbolt probes 1 KiB to 16 MiB).
    static let pageSizeRange = 1024...(16 << 20)

    /// The number of pages a node image of `bytes` bytes occupies.
    static func pages(forBytes bytes: Int, pageSize: Int) -> Int {
        max(1, (bytes + pageSize - 1) / pageSize)
    }

    /// True for a page size bbolt could have written.
    static func isValidPageSize(_ size: Int) -> Bool {
        pageSizeRange.contains(size) && size & (size - 1) == 0
    }
}
