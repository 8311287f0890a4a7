/// A segment's file name, `%016x-%016x.wal`: its sequence number (0, 1, 2, ... with no gaps) and the
/// index just after the last entry or snapshot marker written before it, as etcd names them. Sorting by
/// sequence gives the log order; the indices let the reader check that no segment is missing or
/// misplaced.
struct SegmentName: Hashable, Comparable, Sendable {
    static let fileExtension = ".wal"
    /// Suffix of a segment still being prepared; never read, removed on open.
    static let temporarySuffix = ".tmp"

    let sequence: UInt64
    let firstIndex: UInt64

    init(sequence: UInt64, firstIndex: UInt64) {
        self.sequence = sequence
        self.firstIndex = firstIndex
    }

    /// Parses a file name; nil for anything that is not exactly a segment name.
    init?(fileName: String) {
        guard fileName.hasSuffix(Self.fileExtension) else { return nil }
        let parts = fileName.dropLast(Self.fileExtension.count).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 16 }),
              let sequence = UInt64(parts[0], radix: 16), let firstIndex = UInt64(parts[1], radix: 16),
              parts.allSatisfy({ $0.allSatisfy { "0123456789abcdef".contains($0) } })
        else { return nil }
        self.init(sequence: sequence, firstIndex: firstIndex)
    }

    var fileName: String { "\(hex16(self.sequence))-\(hex16(self.firstIndex))\(Self.fileExtension)" }

    static func < (lhs: SegmentName, rhs: SegmentName) -> Bool { lhs.sequence < rhs.sequence }
}

/// `value` as 16 lowercase hex digits.
func hex16(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
}
