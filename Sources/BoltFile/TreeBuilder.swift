/// Builds one bucket's B+tree bottom-up from entries in key order: each leaf is written as soon as the
/// next entry would not fit in its page, and the branch levels are written by ``finish(into:)`` from the
/// one reference kept per leaf. Every leaf ends up at the same depth.
struct TreeBuilder {
    private var leaf = LeafBuffer()
    private var leaves: [ChildReference] = []

    /// Adds an entry; keys must come in strictly ascending order (the caller checks).
    mutating func append(flags: UInt32, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, into sink: PageSink) throws(BoltError) {
        let cost = LeafBuffer.cost(keyBytes: key.count, valueBytes: value.count)
        if Self.startsNewLeaf(entries: self.leaf.count, encodedBytes: self.leaf.encodedBytes, adding: cost, pageSizeBytes: sink.pageSizeBytes) {
            try self.flushLeaf(into: sink)
        }
        self.leaf.append(flags: flags, key: key, value: value)
    }

    /// The rule that ends a leaf: it has entries and the next one (costing `cost` bytes) would take it past
    /// a page. An entry larger than a page gets a leaf of its own, on overflow pages.
    static func startsNewLeaf(entries: Int, encodedBytes: Int, adding cost: Int, pageSizeBytes: Int) -> Bool {
        entries > 0 && encodedBytes + cost > pageSizeBytes
    }

    /// Writes the last leaf and the branch levels; returns the root page id. A tree without entries is
    /// one empty leaf page.
    mutating func finish(into sink: PageSink) throws(BoltError) -> UInt64 {
        if self.leaf.count == 0, self.leaves.isEmpty {
            var image = self.leaf.image()
            return try sink.appendNode(&image)
        }
        if self.leaf.count > 0 {
            try self.flushLeaf(into: sink)
        }
        var level = self.leaves
        self.leaves = []
        while level.count > 1 {
            level = try BranchLevel.write(level, into: sink)
        }
        return level[0].pageID
    }

    private mutating func flushLeaf(into sink: PageSink) throws(BoltError) {
        var image = self.leaf.image()
        let pageID = try sink.appendNode(&image)
        self.leaves.append(ChildReference(firstKey: self.leaf.firstKey, pageID: pageID))
        self.leaf = LeafBuffer()
    }
}
