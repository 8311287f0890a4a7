@_spi(Testing) import BoltFile

/// The shape of one bucket's tree, measured page by page: what the writer promises beyond what the
/// reader needs (bbolt's write path relies on branch keys equal to their child's first key).
struct TreeShape {
    var leafDepths: Set<Int> = []
    var leafPages = 0
    var branchPages = 0
    var overflowPages = 0
    var singleChildBranches = 0
    var separatorMismatches = 0

    /// Measures the bucket rooted at page `rootPageID`.
    private init(reader: BoltReader, rootPageID: UInt64) throws {
        _ = try self.visit(reader, rootPageID, depth: 1)
    }

    /// The shape of `bucket`'s tree, or nil when the bucket is inline.
    static func of(_ reader: BoltReader, _ bucket: BoltBucket) throws -> TreeShape? {
        guard let root = bucket.rootPageID else { return nil }
        return try TreeShape(reader: reader, rootPageID: root)
    }

    /// The shape of the top-level bucket `name`, or nil when it is inline or missing.
    static func of(_ reader: BoltReader, bucket name: [UInt8]) throws -> TreeShape? {
        guard let bucket = try reader.bucket(named: name) else { return nil }
        return try self.of(reader, bucket)
    }

    /// Visits a subtree and returns its first key.
    private mutating func visit(_ reader: BoltReader, _ pageID: UInt64, depth: Int) throws -> [UInt8]? {
        let page = try reader.page(pageID)
        self.overflowPages += Int(page.overflow)
        if page.isLeaf {
            self.leafPages += 1
            self.leafDepths.insert(depth)
            return page.count == 0 ? nil : page[try page.leafElement(0).key]
        }
        self.branchPages += 1
        if page.count == 1 {
            self.singleChildBranches += 1
        }
        var first: [UInt8]?
        for index in 0..<page.count {
            let element = try page.branchElement(index)
            let childFirst = try self.visit(reader, element.child, depth: depth + 1)
            if childFirst != page[element.key] {
                self.separatorMismatches += 1
            }
            first = first ?? page[element.key]
        }
        return first
    }
}
