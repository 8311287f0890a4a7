import Backend
import Foundation

/// The keys a request covers, with etcd's conventions: one key, every key from `key` up to but not
/// including `end`, or every key not less than `key`.
public struct KeyRange: Sendable, Hashable, CustomStringConvertible {
    /// The first (or only) key.
    public var key: [UInt8]
    /// nil for the single key `key`; empty for every key not less than `key`; otherwise the exclusive end.
    public var end: [UInt8]?

    /// A range from `key` to `end` (see `end` for the conventions).
    public init(key: [UInt8], end: [UInt8]? = nil) {
        self.key = key
        self.end = end
    }

    /// The range a request's `key` and `range_end` fields describe: an empty `range_end` means the
    /// key alone, and the single byte 0 means every key not less than `key` (etcd's `mkGteRange`).
    public init(key: Data, rangeEnd: Data) {
        self.key = Array(key)
        if rangeEnd.isEmpty {
            end = nil
        } else if rangeEnd.count == 1, rangeEnd.first == 0 {
            end = []
        } else {
            end = Array(rangeEnd)
        }
    }

    /// True when the range is the single key `key`.
    public var isSingleKey: Bool { end == nil }

    /// True when `candidate` is in the range.
    public func contains(_ candidate: [UInt8]) -> Bool {
        guard let end else { return candidate == key }
        if Bytes.less(candidate, key) {
            return false
        }
        return end.isEmpty || Bytes.less(candidate, end)
    }

    public var description: String {
        let start = String(decoding: key, as: UTF8.self)
        guard let end else { return "[\(start)]" }
        return end.isEmpty ? "[\(start), +inf)" : "[\(start), \(String(decoding: end, as: UTF8.self)))"
    }
}
