/// Lays out a bbolt file from the sizes of its entries, making the writer's decisions (where leaves end,
/// which buckets stay inline, how branch levels split) without building a page: the first of two passes
/// over the same contents, the second being a ``BoltWriter`` made with the resulting ``BoltLayout``.
///
///     var planner = try BoltLayoutPlanner()
///     try planner.beginBucket(Array("key".utf8))
///     planner.add(keyBytes: 17, valueBytes: 300)
///     let layout = planner.finish()
///
/// It keeps one integer per leaf (the size of its first key) until its bucket ends. It checks neither
/// order nor limits: the writing pass does, and refuses contents that differ from the plan.
public struct BoltLayoutPlanner: BoltEntryReceiver {
    private let options: BoltWriter.Options
    private var pages: PageCounter
    private var root: TreePlan
    private var bucketName: [UInt8]?
    private var bucket: BucketPlan

    /// Plans for `options`; throws `misuse` for options ``BoltWriter`` refuses.
    public init(options: BoltWriter.Options = BoltWriter.Options()) throws(BoltError) {
        try BoltWriter.validate(options)
        self.options = options
        self.pages = PageCounter(pageSizeBytes: options.pageSizeBytes)
        self.root = TreePlan()
        self.bucket = BucketPlan()
    }

    /// Ends the current bucket, if any, and starts the bucket `name`.
    public mutating func beginBucket(_ name: [UInt8]) {
        self.endBucket()
        self.bucketName = name
        self.bucket = BucketPlan()
    }

    /// Adds an entry of `keyBytes` and `valueBytes` bytes to the current bucket.
    public mutating func add(keyBytes: Int, valueBytes: Int) {
        self.bucket.add(keyBytes: keyBytes, valueBytes: valueBytes, pages: &self.pages)
    }

    /// ``add(keyBytes:valueBytes:)`` with the entry itself.
    public mutating func put(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        self.add(keyBytes: key.count, valueBytes: value.count)
    }

    /// Ends the last bucket and returns the layout of the whole file.
    public mutating func finish() -> BoltLayout {
        self.endBucket()
        self.bucketName = nil
        let rootPageID = self.root.finish(pages: &self.pages)
        let freelistPageID = self.options.writesFreelistPage ? self.pages.allocate(bytes: PageLayout.headerBytes) : nil
        return BoltLayout(options: self.options, rootPageID: rootPageID, freelistPageID: freelistPageID, pageCount: self.pages.next)
    }

    private mutating func endBucket() {
        guard let name = self.bucketName else { return }
        let valueBytes = self.bucket.finish(pages: &self.pages)
        self.root.add(keyBytes: name.count, valueBytes: valueBytes, pages: &self.pages)
    }
}

/// Page ids handed out in order, as ``PageSink`` hands them out.
struct PageCounter {
    let pageSizeBytes: Int
    private(set) var next: UInt64 = 2

    init(pageSizeBytes: Int) {
        self.pageSizeBytes = pageSizeBytes
    }

    /// The page id a node image of `bytes` bytes gets.
    mutating func allocate(bytes: Int) -> UInt64 {
        let pageID = self.next
        self.next += UInt64(PageLayout.pages(forBytes: bytes, pageSize: self.pageSizeBytes))
        return pageID
    }
}

/// ``TreeBuilder`` by sizes: the same leaf ends and branch levels, page ids instead of pages.
struct TreePlan {
    private var entries = 0
    private var encodedBytes = PageLayout.headerBytes
    private var firstKeyBytes = 0
    private var leafKeyBytes: [Int] = []
    private var lastPageID: UInt64 = 0

    mutating func add(keyBytes: Int, valueBytes: Int, pages: inout PageCounter) {
        let cost = LeafBuffer.cost(keyBytes: keyBytes, valueBytes: valueBytes)
        if TreeBuilder.startsNewLeaf(entries: self.entries, encodedBytes: self.encodedBytes, adding: cost, pageSizeBytes: pages.pageSizeBytes) {
            self.endLeaf(pages: &pages)
        }
        if self.entries == 0 {
            self.firstKeyBytes = keyBytes
        }
        self.entries += 1
        self.encodedBytes += cost
    }

    /// The root page id of the tree.
    mutating func finish(pages: inout PageCounter) -> UInt64 {
        if self.entries == 0, self.leafKeyBytes.isEmpty {
            return pages.allocate(bytes: PageLayout.headerBytes)
        }
        if self.entries > 0 {
            self.endLeaf(pages: &pages)
        }
        var level = self.leafKeyBytes
        while level.count > 1 {
            var parents: [Int] = []
            for range in BranchLevel.partition(level, pageSizeBytes: pages.pageSizeBytes) {
                self.lastPageID = pages.allocate(bytes: BranchLevel.imageBytes(level[range]))
                parents.append(level[range.lowerBound])
            }
            level = parents
        }
        return self.lastPageID
    }

    private mutating func endLeaf(pages: inout PageCounter) {
        self.lastPageID = pages.allocate(bytes: self.encodedBytes)
        self.leafKeyBytes.append(self.firstKeyBytes)
        self.entries = 0
        self.encodedBytes = PageLayout.headerBytes
    }
}

/// ``BucketBuilder`` by sizes: inline while its leaf stays within bbolt's limit, a tree after.
struct BucketPlan {
    private var pending: [(keyBytes: Int, valueBytes: Int)] = []
    private var pendingBytes = PageLayout.headerBytes
    private var tree: TreePlan?

    mutating func add(keyBytes: Int, valueBytes: Int, pages: inout PageCounter) {
        if self.tree != nil {
            self.tree?.add(keyBytes: keyBytes, valueBytes: valueBytes, pages: &pages)
            return
        }
        self.pending.append((keyBytes, valueBytes))
        self.pendingBytes += LeafBuffer.cost(keyBytes: keyBytes, valueBytes: valueBytes)
        if BucketBuilder.outgrowsInline(encodedBytes: self.pendingBytes, pageSizeBytes: pages.pageSizeBytes) {
            var tree = TreePlan()
            for entry in self.pending {
                tree.add(keyBytes: entry.keyBytes, valueBytes: entry.valueBytes, pages: &pages)
            }
            self.pending = []
            self.tree = tree
        }
    }

    /// The size of the value the root bucket stores under the bucket's name.
    mutating func finish(pages: inout PageCounter) -> Int {
        if var tree = self.tree {
            self.tree = nil
            _ = tree.finish(pages: &pages)
            return PageLayout.bucketHeaderBytes
        }
        return PageLayout.bucketHeaderBytes + self.pendingBytes
    }
}
