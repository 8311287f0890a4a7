/// Size limits over runs of entries.
enum EntryLimits {
    /// How many leading entries fit in `maxBytes` of ``Entry/byteSize``; at least one when there is any, so a
    /// single entry larger than the limit still moves.
    static func prefixCount<C: Collection>(of entries: C, maxBytes: Int) -> Int where C.Element == Entry {
        var total = 0
        var count = 0
        for entry in entries {
            total += entry.byteSize
            if count > 0 && total > maxBytes { break }
            count += 1
        }
        return count
    }

    /// The payload bytes (``Entry/data``) of the entries: what the uncommitted-size limit counts.
    static func payloadBytes<C: Collection>(of entries: C) -> Int where C.Element == Entry {
        var total = 0
        for entry in entries { total += entry.data.count }
        return total
    }
}
