/// One bucket being written. Its entries stay in memory while the bucket can still be stored inline in
/// its parent (bbolt's rule: a single leaf whose image is at most a quarter page); past that they move
/// into a ``TreeBuilder`` that writes pages as they fill.
struct BucketBuilder {
    private var pending = LeafBuffer()
    private var tree: TreeBuilder?

    /// Adds an entry; keys must come in strictly ascending order (the caller checks).
    mutating func append(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, into sink: PageSink) throws(BoltError) {
        if self.tree != nil {
            try self.tree?.append(flags: 0, key: key, value: value, into: sink)
            return
        }
        self.pending.append(flags: 0, key: key, value: value)
        if Self.outgrowsInline(encodedBytes: self.pending.encodedBytes, pageSizeBytes: sink.pageSizeBytes) {
            var builder = TreeBuilder()
            try self.pending.forEach { (flags, key, value) throws(BoltError) in
                try builder.append(flags: flags, key: key, value: value, into: sink)
            }
            self.pending = LeafBuffer()
            self.tree = builder
        }
    }

    /// bbolt's limit for an inline bucket: its leaf image must stay within a quarter page.
    static func outgrowsInline(encodedBytes: Int, pageSizeBytes: Int) -> Bool {
        encodedBytes > pageSizeBytes / 4
    }

    /// Finishes the bucket and returns the value its parent stores under its name: the 16-byte bucket
    /// header (root page id, sequence 0), followed by the leaf image when the bucket is inline (root 0).
    mutating func finish(into sink: PageSink) throws(BoltError) -> [UInt8] {
        var value = [UInt8]()
        if var tree = self.tree {
            self.tree = nil
            value.appendLittleEndian(try tree.finish(into: sink))
            value.appendLittleEndian(UInt64(0))
        } else {
            value.appendLittleEndian(UInt64(0))
            value.appendLittleEndian(UInt64(0))
            value.append(contentsOf: self.pending.image())
        }
        return value
    }
}
