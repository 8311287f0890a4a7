/// One bit per page below the high-water mark: which pages a whole-file walk has reached. A page reached
/// a second time is a cycle or a page shared between two parents.
final class PageTracker {
    private var words: [UInt64]

    init(pageCount: UInt64) {
        self.words = [UInt64](repeating: 0, count: Int((pageCount + 63) / 64))
    }

    /// True when page `pageID` has been marked.
    func contains(_ pageID: UInt64) -> Bool {
        self.words[Int(pageID / 64)] & (1 << (pageID % 64)) != 0
    }

    /// Marks `pageID` and its `overflow` following pages, which the caller has checked lie below the
    /// high-water mark; throws `cycle` if one of them was marked before.
    func mark(_ pageID: UInt64, overflow: UInt32) throws(BoltError) {
        for id in pageID...(pageID + UInt64(overflow)) {
            guard !self.contains(id) else {
                throw BoltError.reachedTwice(id)
            }
            self.words[Int(id / 64)] |= 1 << (id % 64)
        }
    }
}
