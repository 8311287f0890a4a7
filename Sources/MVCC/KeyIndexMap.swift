import Backend

/// The key indexes of every key in byte order: a two-level sorted array (a list of sorted chunks of at
/// most `maxChunkCount` entries). Lookups are two binary searches; an insert or removal moves at most
/// one chunk's entries, so a million keys cost no more than a few microseconds per write.
///
/// Not thread-safe: `MemoryKeyIndex` guards it with a read-write lock.
struct KeyIndexMap {
    /// Entries per chunk before it splits in two.
    static let maxChunkCount = 512

    /// A position: chunk number and index in the chunk.
    struct Position: Equatable {
        var chunk: Int
        var index: Int
    }

    private var chunks: [[KeyIndex]] = []
    private(set) var count = 0

    /// A map of `sorted`, which must be in ascending key order without duplicates.
    init(sorted: [KeyIndex] = []) {
        let half = Self.maxChunkCount / 2
        var start = 0
        while start < sorted.count {
            let end = min(start + half, sorted.count)
            chunks.append(Array(sorted[start..<end]))
            start = end
        }
        count = sorted.count
    }

    /// The position of the first entry whose key is not less than `key` (the end when there is none).
    func lowerBound(_ key: [UInt8]) -> Position {
        guard !chunks.isEmpty else { return Position(chunk: 0, index: 0) }
        var low = 0
        var high = chunks.count
        while low < high {
            let middle = (low + high) / 2
            if Bytes.compare(chunks[middle][chunks[middle].count - 1].key, key) < 0 {
                low = middle + 1
            } else {
                high = middle
            }
        }
        guard low < chunks.count else { return Position(chunk: chunks.count, index: 0) }
        let chunk = chunks[low]
        var first = 0
        var last = chunk.count
        while first < last {
            let middle = (first + last) / 2
            if Bytes.compare(chunk[middle].key, key) < 0 {
                first = middle + 1
            } else {
                last = middle
            }
        }
        return Position(chunk: low, index: first)
    }

    /// The position of `key`, or nil when it is absent.
    func find(_ key: [UInt8]) -> Position? {
        let position = lowerBound(key)
        guard position.chunk < chunks.count, chunks[position.chunk][position.index].key == key else { return nil }
        return position
    }

    /// True when `position` is past the last entry.
    func isEnd(_ position: Position) -> Bool {
        position.chunk >= chunks.count
    }

    /// The entry at `position`, which must not be the end.
    subscript(position: Position) -> KeyIndex {
        chunks[position.chunk][position.index]
    }

    /// The position after `position`.
    func after(_ position: Position) -> Position {
        if position.index + 1 < chunks[position.chunk].count {
            return Position(chunk: position.chunk, index: position.index + 1)
        }
        return Position(chunk: position.chunk + 1, index: 0)
    }

    /// Mutates the entry at `position` in place; `body` must not change its key.
    mutating func modify<R>(at position: Position, _ body: (inout KeyIndex) -> R) -> R {
        body(&chunks[position.chunk][position.index])
    }

    /// Inserts `entry` at `position`, which must be `lowerBound(entry.key)` for an absent key.
    mutating func insert(_ entry: KeyIndex, at position: Position) {
        count += 1
        if chunks.isEmpty {
            chunks.append([entry])
            return
        }
        var chunk = position.chunk
        var index = position.index
        if chunk == chunks.count {
            chunk -= 1
            index = chunks[chunk].count
        }
        chunks[chunk].insert(entry, at: index)
        if chunks[chunk].count > Self.maxChunkCount {
            let upper = Array(chunks[chunk][(Self.maxChunkCount / 2)...])
            chunks[chunk].removeLast(upper.count)
            chunks.insert(upper, at: chunk + 1)
        }
    }

    /// Removes the entry at `position`.
    mutating func remove(at position: Position) {
        count -= 1
        chunks[position.chunk].remove(at: position.index)
        if chunks[position.chunk].isEmpty {
            chunks.remove(at: position.chunk)
        }
    }
}
