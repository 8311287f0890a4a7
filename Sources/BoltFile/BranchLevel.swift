/// A written child node as its parent branch sees it: the child's first key and its page id.
struct ChildReference {
    var firstKey: [UInt8]
    var pageID: UInt64
}

/// Packs one level of child references into branch pages, which become the children of the next level.
///
/// Pages are filled up to the page size, but each holds at least two children, so no branch has a single
/// child (bbolt merges those); a lone last child is moved into the page before it, or takes one from it.
enum BranchLevel {
    /// Writes the branch pages for `children` (two or more) and returns references to them.
    static func write(_ children: [ChildReference], into sink: PageSink) throws(BoltError) -> [ChildReference] {
        precondition(children.count >= 2, "a branch level needs two children or more")
        var parents: [ChildReference] = []
        for range in self.partition(children.map { $0.firstKey.count }, pageSizeBytes: sink.pageSizeBytes) {
            var image = self.image(children[range])
            let pageID = try sink.appendNode(&image)
            parents.append(ChildReference(firstKey: children[range.lowerBound].firstKey, pageID: pageID))
        }
        return parents
    }

    /// Splits children with keys of `keyBytes` sizes into consecutive ranges, one per branch page.
    static func partition(_ keyBytes: [Int], pageSizeBytes: Int) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        var used = PageLayout.headerBytes
        for (index, size) in keyBytes.enumerated() {
            let cost = PageLayout.elementBytes + size
            if index - start >= 2, used + cost > pageSizeBytes {
                ranges.append(start..<index)
                start = index
                used = PageLayout.headerBytes
            }
            used += cost
        }
        ranges.append(start..<keyBytes.count)
        if ranges.count >= 2, let last = ranges.last, last.count == 1 {
            let previous = ranges[ranges.count - 2]
            if previous.count >= 3 {
                ranges[ranges.count - 2] = previous.lowerBound..<(previous.upperBound - 1)
                ranges[ranges.count - 1] = (previous.upperBound - 1)..<last.upperBound
            } else {
                ranges[ranges.count - 2] = previous.lowerBound..<last.upperBound
                ranges.removeLast()
            }
        }
        return ranges
    }

    /// The size of a branch node image over children whose first keys have `keyBytes` sizes.
    static func imageBytes(_ keyBytes: some Collection<Int>) -> Int {
        PageLayout.headerBytes + PageLayout.elementBytes * keyBytes.count + keyBytes.reduce(0, +)
    }

    /// A branch node image (page id 0, no overflow; the sink stamps both): header, elements, packed keys.
    private static func image(_ children: ArraySlice<ChildReference>) -> [UInt8] {
        precondition(children.count < PageLayout.freelistCountEscape, "a page holds fewer than 65535 elements")
        var image = [UInt8]()
        image.appendLittleEndian(UInt64(0))
        image.appendLittleEndian(PageLayout.branchFlag)
        image.appendLittleEndian(UInt16(children.count))
        image.appendLittleEndian(UInt32(0))
        var keyOffset = PageLayout.headerBytes + PageLayout.elementBytes * children.count
        for (index, child) in children.enumerated() {
            let elementOffset = PageLayout.headerBytes + PageLayout.elementBytes * index
            image.appendLittleEndian(UInt32(keyOffset - elementOffset))
            image.appendLittleEndian(UInt32(child.firstKey.count))
            image.appendLittleEndian(child.pageID)
            keyOffset += child.firstKey.count
        }
        for child in children {
            image.append(contentsOf: child.firstKey)
        }
        return image
    }
}
