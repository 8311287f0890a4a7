/// The contents of a bbolt meta page: the page size, where the root bucket's tree starts, the freelist
/// and the high-water mark. A file has two; readers use the valid one with the higher transaction id.
public struct BoltMeta: Sendable, Hashable {
    /// The page size of every page in the file, in bytes.
    public var pageSizeBytes: Int
    /// The page id of the root bucket's root page (a branch or leaf page).
    public var rootPageID: UInt64
    /// The freelist page, or nil when none was persisted (Go etcd on Linux never persists one).
    public var freelistPageID: UInt64?
    /// The high-water mark: pages `0..<pageCount` exist.
    public var pageCount: UInt64
    /// The transaction that wrote this meta.
    public var transactionID: UInt64

    /// `pageCount × pageSizeBytes`: the database's size without trailing bytes, which is what Go's
    /// `Tx.Size()` returns and `snapshot status` prints as TOTAL SIZE.
    public var totalSizeBytes: Int64 { Int64(self.pageCount) * Int64(self.pageSizeBytes) }

    /// Byte offsets inside a meta page.
    private enum Field {
        static let magic = 16
        static let version = 20
        static let pageSize = 24
        static let flags = 28
        static let root = 32
        static let rootSequence = 40
        static let freelist = 48
        static let pageCount = 56
        static let transactionID = 64
        static let checksum = 72
        static let end = 80
    }

    /// The bytes a meta page needs from its start to be decoded.
    static let encodedBytes = Field.end

    /// The full page image for meta page `pageID` (0 or 1), checksum included. Tests use it to rewrite
    /// the meta pages of a file they damage.
    @_spi(Testing) public func pageImage(pageID: UInt64) -> [UInt8] {
        var page = [UInt8](repeating: 0, count: self.pageSizeBytes)
        page.storeLittleEndian(pageID, at: 0)
        page.storeLittleEndian(PageLayout.metaFlag, at: 8)
        page.storeLittleEndian(PageLayout.magic, at: Field.magic)
        page.storeLittleEndian(PageLayout.version, at: Field.version)
        page.storeLittleEndian(UInt32(self.pageSizeBytes), at: Field.pageSize)
        page.storeLittleEndian(self.rootPageID, at: Field.root)
        page.storeLittleEndian(self.freelistPageID ?? PageLayout.noFreelist, at: Field.freelist)
        page.storeLittleEndian(self.pageCount, at: Field.pageCount)
        page.storeLittleEndian(self.transactionID, at: Field.transactionID)
        page.storeLittleEndian(FNV64a.hash(page, Field.magic..<Field.checksum), at: Field.checksum)
        return page
    }

    /// Decodes and validates the meta page starting at `start` in `bytes`, checking magic, version and
    /// checksum in that order as bbolt does. `pageID` only labels the error.
    static func decode(_ bytes: [UInt8], at start: Int, pageID: UInt64) -> Result<BoltMeta, BoltError> {
        guard start >= 0, start + Field.end <= bytes.count else {
            return .failure(BoltError(.truncated, "file too small for a meta page", page: pageID))
        }
        let magic = bytes.loadLittleEndian(UInt32.self, at: start + Field.magic)
        guard magic == PageLayout.magic else {
            let hex = String(magic, radix: 16)
            return .failure(BoltError(.badMagic, "not a bbolt file: magic 0x\(hex), want 0xed0cdaed", page: pageID))
        }
        let version = bytes.loadLittleEndian(UInt32.self, at: start + Field.version)
        guard version == PageLayout.version else {
            return .failure(BoltError(.badVersion, "format version \(version), want 2", page: pageID))
        }
        let stored = bytes.loadLittleEndian(UInt64.self, at: start + Field.checksum)
        let computed = FNV64a.hash(bytes, (start + Field.magic)..<(start + Field.checksum))
        guard stored == computed else {
            return .failure(BoltError(.metaChecksum, "meta checksum mismatch", page: pageID))
        }
        let freelist = bytes.loadLittleEndian(UInt64.self, at: start + Field.freelist)
        return .success(
            BoltMeta(
                pageSizeBytes: Int(bytes.loadLittleEndian(UInt32.self, at: start + Field.pageSize)),
                rootPageID: bytes.loadLittleEndian(UInt64.self, at: start + Field.root),
                freelistPageID: freelist == PageLayout.noFreelist ? nil : freelist,
                pageCount: bytes.loadLittleEndian(UInt64.self, at: start + Field.pageCount),
                transactionID: bytes.loadLittleEndian(UInt64.self, at: start + Field.transactionID)
            )
        )
    }

    /// Checks the fields against each other and against a file of `fileBytes` bytes, as bbolt's commit
    /// path asserts them: a usable page size, root and freelist inside `2..<pageCount`, every page present.
    func validate(fileBytes: Int64, pageID: UInt64) throws(BoltError) {
        guard PageLayout.isValidPageSize(self.pageSizeBytes) else {
            throw BoltError(.invalidMeta, "page size \(self.pageSizeBytes) is not a power of two in 1 KiB...16 MiB",
                            page: pageID)
        }
        guard self.pageCount >= 3, self.pageCount <= UInt64(Int64.max) / UInt64(self.pageSizeBytes) else {
            throw BoltError(.invalidMeta, "high-water mark \(self.pageCount) is impossible", page: pageID)
        }
        guard self.rootPageID >= 2, self.rootPageID < self.pageCount else {
            throw BoltError(.invalidMeta, "root page \(self.rootPageID) outside 2..<\(self.pageCount)", page: pageID)
        }
        if let freelist = self.freelistPageID, freelist < 2 || freelist >= self.pageCount {
            throw BoltError(.invalidMeta, "freelist page \(freelist) outside 2..<\(self.pageCount)", page: pageID)
        }
        guard self.totalSizeBytes <= fileBytes else {
            throw BoltError(.truncated, "file has \(fileBytes) bytes but its meta needs \(self.totalSizeBytes) "
                            + "(\(self.pageCount) pages of \(self.pageSizeBytes))", page: pageID)
        }
    }
}
