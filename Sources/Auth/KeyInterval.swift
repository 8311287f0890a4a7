/// A half-open interval of keys `[start, end)` in etcd's byte order, `end` nil meaning no end: how etcd
/// reads a `(key, range_end)` pair, where an empty end is the one key and `[0x00]` every key from `key` on.
public struct KeyInterval: Sendable, Hashable {
    public var start: [UInt8]
    /// The first key past the interval; nil for an interval without end.
    public var end: [UInt8]?

    public init(start: [UInt8], end: [UInt8]?) {
        self.start = start
        self.end = end
    }

    /// The interval a `(key, range_end)` pair names: `[key, key+0x00)` for an empty end, `[key, ∞)` for
    /// `[0x00]`, else `[key, rangeEnd)`.
    public init(key: [UInt8], rangeEnd: [UInt8]) {
        self.start = key
        if rangeEnd.isEmpty {
            self.end = key + [0]
        } else if rangeEnd == [0] {
            self.end = nil
        } else {
            self.end = rangeEnd
        }
    }

    /// True when no key lies in the interval.
    public var isEmpty: Bool {
        guard let end = self.end else { return false }
        return !self.start.lexicographicallyPrecedes(end)
    }

    /// True when `key` lies in the interval.
    public func contains(_ key: [UInt8]) -> Bool {
        !key.lexicographicallyPrecedes(self.start) && (self.end.map { key.lexicographicallyPrecedes($0) } ?? true)
    }
}

/// A union of key intervals kept merged and sorted: the keys a user may read, or write.
public struct KeyIntervalSet: Sendable, Hashable {
    /// Disjoint, non-adjacent intervals in ascending order.
    public private(set) var intervals: [KeyInterval] = []

    public init() {}

    public init(_ intervals: [KeyInterval]) {
        for interval in intervals { self.insert(interval) }
    }

    /// Adds `interval`, merging it with every interval it overlaps or touches.
    public mutating func insert(_ interval: KeyInterval) {
        guard !interval.isEmpty else { return }
        var merged = interval
        var kept: [KeyInterval] = []
        for existing in self.intervals {
            if Self.endsBefore(existing, merged.start) || Self.endsBefore(merged, existing.start) {
                kept.append(existing)
            } else {
                if existing.start.lexicographicallyPrecedes(merged.start) { merged.start = existing.start }
                merged.end = Self.later(merged.end, existing.end)
            }
        }
        kept.append(merged)
        self.intervals = kept.sorted { $0.start.lexicographicallyPrecedes($1.start) }
    }

    /// True when every key of `interval` is in the set. An empty (inverted) interval is covered by nothing,
    /// as in etcd, whose interval tree finds no grant overlapping it.
    public func covers(_ interval: KeyInterval) -> Bool {
        guard !interval.isEmpty else { return false }
        return self.intervals.contains { candidate in
            candidate.contains(interval.start) && Self.later(candidate.end, interval.end) == candidate.end
        }
    }

    /// True when `key` is in the set.
    public func contains(_ key: [UInt8]) -> Bool {
        self.intervals.contains { $0.contains(key) }
    }

    /// True when `interval` ends at or before `key` (so the two neither overlap nor leave a gap to fill).
    private static func endsBefore(_ interval: KeyInterval, _ key: [UInt8]) -> Bool {
        guard let end = interval.end else { return false }
        return end.lexicographicallyPrecedes(key)
    }

    /// The later of two ends, nil (no end) being the latest.
    private static func later(_ first: [UInt8]?, _ second: [UInt8]?) -> [UInt8]? {
        guard let first, let second else { return nil }
        return first.lexicographicallyPrecedes(second) ? second : first
    }
}
