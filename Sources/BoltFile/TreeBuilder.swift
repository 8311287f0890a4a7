/// Builds one bucket's B+tree bottom-up from entries in key order: each leaf is written as soon as the
/// next entry would not fit in its page, and the branch levels are written by ``finish(into:)`` from the
/// one reference kept per leaf. Every leaf ends up at the same depth.
struct TreeBuilder {
    private var leaf = LeafBuffer()
    private var leaves: [ChildReference] = []

    /// Adds an entry; keys must come in strictly ascending order (the caller checks).
    mutating func append(flags: UInt32, key: [UInt8], value: [UInt8], into sink: PageSink) throws(BoltError) {
        let cost = LeafBuffer.cost(keyBytes: key.count, valueBytes: value.count)
        if self.leaf.count > 0, self.leaf.encodedBytes + cost > sink.pageSizeBytes {
            try self.flushLeaf(into: sink)
        }
        self.leaf.append(flags: flags, key: key, value: value)
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
