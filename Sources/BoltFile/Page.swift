/// A node read from the file (all of its pages, overflow included) or an inline bucket's page image,
/// with bounds-checked access to its elements. Nothing is trusted: every offset is checked against the
/// node's bytes before use, and a violation is a `malformedPage` error naming the page.
/// SPI so that tests can inspect tree shape; readers go through ``BoltCursor``.
@_spi(Testing) public struct Page {
    /// A leaf element: flags and where its key and value lie in ``Page/bytes``.
    @_spi(Testing) public struct LeafElement {
        var flags: UInt32
        /// Where the key lies; read it with ``Page/subscript(_:)``.
        @_spi(Testing) public var key: Range<Int>
        var value: Range<Int>
    }

    /// The page id, or for an inline bucket the id of the page holding the bucket's entry.
    let id: UInt64
    /// True for an inline bucket's image.
    let isInline: Bool
    /// The node's bytes: `(overflow + 1) × pageSize` for a page, the image for an inline bucket.
    let bytes: [UInt8]

    init(id: UInt64, bytes: [UInt8], isInline: Bool = false) throws(BoltError) {
        self.id = id
        self.bytes = bytes
        self.isInline = isInline
        guard bytes.count >= PageLayout.headerBytes else {
            throw self.malformed("image of \(bytes.count) bytes is shorter than a page header")
        }
    }

    var flags: UInt16 { self.bytes.loadLittleEndian(UInt16.self, at: 8) }
    /// The number of elements (for a freelist page, of ids, unless it holds the escape value).
    @_spi(Testing) public var count: Int { Int(self.bytes.loadLittleEndian(UInt16.self, at: 10)) }
    /// The number of pages the node takes after its first.
    @_spi(Testing) public var overflow: UInt32 { self.bytes.loadLittleEndian(UInt32.self, at: 12) }
    /// True for a leaf node.
    @_spi(Testing) public var isLeaf: Bool { self.flags == PageLayout.leafFlag }
    /// True for a branch node.
    @_spi(Testing) public var isBranch: Bool { self.flags == PageLayout.branchFlag }

    /// The bytes in `range`, copied out.
    @_spi(Testing) public subscript(range: Range<Int>) -> [UInt8] { Array(self.bytes[range]) }

    /// Element `index` of a leaf page.
    @_spi(Testing) public func leafElement(_ index: Int) throws(BoltError) -> LeafElement {
        let start = try self.elementStart(index)
        let flags = self.bytes.loadLittleEndian(UInt32.self, at: start)
        let position = Int(self.bytes.loadLittleEndian(UInt32.self, at: start + 4))
        let keyBytes = Int(self.bytes.loadLittleEndian(UInt32.self, at: start + 8))
        let valueBytes = Int(self.bytes.loadLittleEndian(UInt32.self, at: start + 12))
        let key = try self.range(from: start + position, bytes: keyBytes, element: index)
        let value = try self.range(from: key.upperBound, bytes: valueBytes, element: index)
        return LeafElement(flags: flags, key: key, value: value)
    }

    /// Element `index` of a branch page: where its key lies and the child page id.
    @_spi(Testing) public func branchElement(_ index: Int) throws(BoltError) -> (key: Range<Int>, child: UInt64) {
        let start = try self.elementStart(index)
        let position = Int(self.bytes.loadLittleEndian(UInt32.self, at: start))
        let keyBytes = Int(self.bytes.loadLittleEndian(UInt32.self, at: start + 4))
        let child = self.bytes.loadLittleEndian(UInt64.self, at: start + 8)
        return (try self.range(from: start + position, bytes: keyBytes, element: index), child)
    }

    /// The page ids a freelist page lists (count 0xFFFF means the real count is the first u64).
    func freelistIDs() throws(BoltError) -> [UInt64] {
        var first = PageLayout.headerBytes
        var count = self.count
        if count == PageLayout.freelistCountEscape {
            guard self.bytes.count >= first + 8 else {
                throw self.malformed("freelist count does not fit")
            }
            let stored = self.bytes.loadLittleEndian(UInt64.self, at: first)
            guard stored <= UInt64((self.bytes.count - first - 8) / 8) else {
                throw self.malformed("freelist of \(stored) ids does not fit in its pages")
            }
            count = Int(stored)
            first += 8
        }
        guard first + 8 * count <= self.bytes.count else {
            throw self.malformed("freelist of \(count) ids does not fit in its pages")
        }
        return (0..<count).map { self.bytes.loadLittleEndian(UInt64.self, at: first + 8 * $0) }
    }

    /// An error about this page.
    func error(_ code: BoltError.Code, _ text: String) -> BoltError {
        BoltError(code, self.isInline ? "inline bucket: " + text : text, page: self.id)
    }

    private func malformed(_ text: String) -> BoltError {
        self.error(.malformedPage, text)
    }

    private func elementStart(_ index: Int) throws(BoltError) -> Int {
        let start = PageLayout.headerBytes + PageLayout.elementBytes * index
        guard index < self.count, start + PageLayout.elementBytes <= self.bytes.count else {
            throw self.malformed("element \(index) of \(self.count) lies outside the page")
        }
        return start
    }

    private func range(from start: Int, bytes: Int, element: Int) throws(BoltError) -> Range<Int> {
        guard start <= self.bytes.count, bytes <= self.bytes.count - start else {
            throw self.malformed("element \(element): \(bytes) bytes at offset \(start) lie outside the page")
        }
        return start..<(start + bytes)
    }
}
