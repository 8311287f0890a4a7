extension BoltReader {
    /// Walks every page reachable from the meta in use and checks the whole file, as bbolt 1.3.7+'s
    /// `Tx.Check` does (which `snapshot status` runs first): every page reached once only, branch and
    /// leaf pages where the trees need them, keys in strict order within pages and branch ranges, nested
    /// buckets included. When a freelist page is present it must be a freelist of sorted, unique ids in
    /// `2..<pageCount`, and every page must be reachable or free but not both; with Go etcd's "no
    /// freelist" marker unreachable pages are free by definition, as bbolt treats them.
    /// Throws the first problem found.
    public func check() throws(BoltError) {
        let tracker = PageTracker(pageCount: self.meta.pageCount)
        try tracker.mark(0, overflow: 1)  // the two meta pages
        let free = try self.freePages(tracker: tracker)
        var pending = [self.rootBucket]
        while let bucket = pending.popLast() {
            var cursor = self.cursor(bucket, tracker: tracker)
            while let entry = try cursor.next() {
                if entry.isBucket {
                    pending.append(try self.bucket(entry))
                }
            }
        }
        guard let free else { return }
        for pageID in 0..<self.meta.pageCount {
            switch (tracker.contains(pageID), free.contains(pageID)) {
            case (true, true):
                throw BoltError(.pageAccounting, "reachable, but also on the freelist", page: pageID)
            case (false, false):
                throw BoltError(.pageAccounting, "neither reachable nor on the freelist", page: pageID)
            default:
                continue
            }
        }
    }

    /// The pages the freelist page lists, or nil when the file has none; marks the freelist page itself.
    private func freePages(tracker: PageTracker) throws(BoltError) -> Set<UInt64>? {
        guard let freelistPageID = self.meta.freelistPageID else { return nil }
        let page = try self.page(freelistPageID)
        guard page.flags == PageLayout.freelistFlag else {
            throw page.error(.wrongPageType, "flags 0x\(String(page.flags, radix: 16)) where the freelist was expected")
        }
        try tracker.mark(freelistPageID, overflow: page.overflow)
        var free = Set<UInt64>()
        var previous: UInt64 = 1
        for pageID in try page.freelistIDs() {
            guard pageID > previous, pageID < self.meta.pageCount else {
                throw page.error(.badFreelist, "id \(pageID) is reserved, unsorted, repeated or past the "
                                 + "high-water mark \(self.meta.pageCount)")
            }
            free.insert(pageID)
            previous = pageID
        }
        return free
    }
}
