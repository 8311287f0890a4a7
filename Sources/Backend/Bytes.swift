import Glibc

/// Byte-string helpers shared by the storage modules: ordering as LMDB orders keys (memcmp, then the
/// shorter first), binary search and big-endian integers.
public enum Bytes {
    /// Compares two byte strings the way LMDB's default key order does: -1, 0 or 1.
    @inlinable
    public static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        let common = min(a.count, b.count)
        if common > 0 {
            let result = memcmp(a.baseAddress!, b.baseAddress!, common)
            if result != 0 {
                return result < 0 ? -1 : 1
            }
        }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }

    /// Compares two byte strings the way LMDB's default key order does: -1, 0 or 1.
    @inlinable
    public static func compare(_ a: [UInt8], _ b: [UInt8]) -> Int {
        a.withUnsafeBytes { pa in b.withUnsafeBytes { pb in compare(pa, pb) } }
    }

    /// True when `a` sorts before `b`.
    @inlinable
    public static func less(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        compare(a, b) < 0
    }

    /// The first index of `sorted` whose element is not less than `key`.
    public static func lowerBound(of key: [UInt8], in sorted: [[UInt8]]) -> Int {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if less(sorted[middle], key) {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low
    }

    /// The 8-byte big-endian encoding of `value`.
    @inlinable
    public static func bigEndian(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * UInt64($0))) }
    }

    /// Reads an 8-byte big-endian integer at `offset` of `bytes`.
    @inlinable
    public static func readBigEndian(_ bytes: UnsafeRawBufferPointer, at offset: Int = 0) -> UInt64 {
        var value: UInt64 = 0
        for index in offset..<(offset + 8) {
            value = value << 8 | UInt64(bytes[index])
        }
        return value
    }

    /// Reads an 8-byte big-endian integer at `offset` of `bytes`.
    @inlinable
    public static func readBigEndian(_ bytes: [UInt8], at offset: Int = 0) -> UInt64 {
        bytes.withUnsafeBytes { readBigEndian($0, at: offset) }
    }
}
