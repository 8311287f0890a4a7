/// Iterates one bucket's entries in key order by walking its tree depth-first from the root, holding only
/// the pages on the path to the current leaf.
///
/// Every step is checked: a page reached twice is a `cycle`, a branch or leaf position holding another
/// page type is `wrongPageType`, and keys must ascend strictly both within pages and across the ranges
/// the branch keys set (`keysOutOfOrder`). Errors from reading pages (`pageOutOfBounds`,
/// `pageIDMismatch`, `malformedPage`) pass through. After an error the cursor should not be used again.
public struct BoltCursor {
    /// A node on the path, the next element to visit, and the key range its parent allows.
    private struct Frame {
        var page: Page
        var index = 0
        var lowerBound: [UInt8]?
        var upperBound: [UInt8]?
    }

    private let source: PageSource
    private let tracker: PageTracker?
    private var start: BoltBucket.Root?
    private var stack: [Frame] = []
    private var visited: Set<UInt64> = []
    private var previousKey: [UInt8]?

    /// A cursor over the bucket rooted at `root`; with a `tracker`, pages are marked there (so a page
    /// reached from two buckets is caught) instead of in a set of the cursor's own.
    init(source: PageSource, root: BoltBucket.Root, tracker: PageTracker? = nil) {
        self.source = source
        self.start = root
        self.tracker = tracker
    }

    /// The next entry, or nil after the last one.
    public mutating func next() throws(BoltError) -> BoltEntry? {
        if let root = self.start {
            self.start = nil
            switch root {
            case .page(let pageID):
                try self.push(pageID, lowerBound: nil, upperBound: nil, parent: nil)
            case .inline(let image, let parentPageID):
                let page = try Page(id: parentPageID, bytes: image, isInline: true)
                guard page.isLeaf else {
                    throw page.error(.wrongPageType, "flags 0x\(String(page.flags, radix: 16)), want a leaf")
                }
                self.stack.append(Frame(page: page))
            }
        }
        while let frame = self.stack.last {
            guard frame.index < frame.page.count else {
                self.stack.removeLast()
                continue
            }
            self.stack[self.stack.count - 1].index += 1
            if frame.page.isLeaf {
                return try self.entry(frame)
            }
            try self.descend(frame)
        }
        return nil
    }

    /// The leaf entry at `frame.index`, checked to sort after the previous key and inside the frame's range.
    private mutating func entry(_ frame: Frame) throws(BoltError) -> BoltEntry {
        let element = try frame.page.leafElement(frame.index)
        let key = frame.page[element.key]
        try Self.checkRange(key, frame, after: self.previousKey)
        self.previousKey = key
        return BoltEntry(
            key: key,
            value: frame.page[element.value],
            isBucket: element.flags & PageLayout.bucketElementFlag != 0,
            pageID: frame.page.id
        )
    }

    /// Enters the child at `frame.index` of a branch, giving it the range between this key and the next.
    private mutating func descend(_ frame: Frame) throws(BoltError) {
        let element = try frame.page.branchElement(frame.index)
        let key = frame.page[element.key]
        var upperBound = frame.upperBound
        if frame.index + 1 < frame.page.count {
            upperBound = frame.page[try frame.page.branchElement(frame.index + 1).key]
        }
        try Self.checkRange(key, frame, after: nil)
        if let upperBound, KeyOrder.compare(key, upperBound) >= 0 {
            throw frame.page.error(.keysOutOfOrder, "branch key \(BytePreview(key)) is not below the next key "
                                   + "\(BytePreview(upperBound))")
        }
        try self.push(element.child, lowerBound: key, upperBound: upperBound, parent: frame.page.id)
    }

    private mutating func push(_ pageID: UInt64, lowerBound: [UInt8]?, upperBound: [UInt8]?,
                               parent: UInt64?) throws(BoltError) {
        if self.tracker == nil, !self.visited.insert(pageID).inserted {
            throw BoltError.reachedTwice(pageID)
        }
        let page = try self.source.page(pageID)
        try self.tracker?.mark(pageID, overflow: page.overflow)
        guard page.isLeaf || page.isBranch else {
            let origin = parent.map { "referenced by page \($0)" } ?? "a bucket root"
            throw page.error(.wrongPageType, "flags 0x\(String(page.flags, radix: 16)) where a branch or leaf "
                             + "was expected (\(origin))")
        }
        if page.isBranch, page.count == 0 {
            throw page.error(.malformedPage, "branch page without elements")
        }
        self.stack.append(Frame(page: page, lowerBound: lowerBound, upperBound: upperBound))
    }

    /// Checks `key` against the frame's range and, when given, the key before it.
    private static func checkRange(_ key: [UInt8], _ frame: Frame, after previous: [UInt8]?) throws(BoltError) {
        if let previous, KeyOrder.compare(previous, key) >= 0 {
            throw frame.page.error(.keysOutOfOrder, "key \(BytePreview(key)) does not sort after "
                                   + "\(BytePreview(previous))")
        }
        if let lower = frame.lowerBound, KeyOrder.less(key, lower) {
            throw frame.page.error(.keysOutOfOrder, "key \(BytePreview(key)) sorts before its parent's key "
                                   + "\(BytePreview(lower))")
        }
        if let upper = frame.upperBound, !KeyOrder.less(key, upper) {
            throw frame.page.error(.keysOutOfOrder, "key \(BytePreview(key)) is not below its parent's next key "
                                   + "\(BytePreview(upper))")
        }
    }
}
