/// A bucket of a bbolt file: its name and where its entries live, either a tree of pages or a page
/// image stored inline in its parent's leaf. Iterate it with ``BoltReader/cursor(_:)``.
public struct BoltBucket: Sendable, Hashable {
    enum Root: Sendable, Hashable {
        case page(UInt64)
        /// The page image after the bucket header; `parentPageID` labels errors.
        case inline(image: [UInt8], parentPageID: UInt64)
    }

    /// The bucket's name (empty for the root bucket).
    public let name: [UInt8]
    let root: Root

    /// True when the bucket is stored inline in its parent's leaf rather than in pages of its own.
    public var isInline: Bool {
        if case .inline = self.root { return true }
        return false
    }

    /// The page id of the bucket's root node, nil when the bucket is inline. For tests that walk a
    /// bucket's pages with ``BoltReader/page(_:)``.
    @_spi(Testing) public var rootPageID: UInt64? {
        if case .page(let pageID) = self.root { return pageID }
        return nil
    }

    /// The bucket named `name` whose value (16-byte header, then the inline image when the root is 0)
    /// was found in page `pageID`.
    init(name: [UInt8], value: [UInt8], pageID: UInt64) throws(BoltError) {
        guard value.count >= PageLayout.bucketHeaderBytes else {
            throw BoltError(.malformedPage, "bucket \(BytePreview(name)): value of \(value.count) bytes is shorter "
                            + "than a bucket header", page: pageID)
        }
        self.name = name
        let rootPageID = value.loadLittleEndian(UInt64.self, at: 0)
        if rootPageID == 0 {
            self.root = .inline(image: Array(value[PageLayout.bucketHeaderBytes...]), parentPageID: pageID)
        } else {
            self.root = .page(rootPageID)
        }
    }

    init(name: [UInt8], rootPageID: UInt64) {
        self.name = name
        self.root = .page(rootPageID)
    }
}

/// One entry of a bucket, as a cursor yields them in key order.
public struct BoltEntry: Sendable {
    /// The key.
    public let key: [UInt8]
    /// The value; for a nested bucket, its raw bucket value (header, then the inline image if any).
    public let value: [UInt8]
    /// True when the entry is a nested bucket: open it with ``BoltReader/bucket(_:)``.
    public let isBucket: Bool
    /// The leaf page the entry was read from.
    let pageID: UInt64
}
