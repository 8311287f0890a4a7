/// A position in the key-value history: `main` is the revision of one atomic change (a put, a delete
/// or a whole transaction), `sub` numbers the individual changes inside it from 0.
public struct Revision: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The revision of the atomic change.
    public var main: Int64
    /// The index of the change within it.
    public var sub: Int64

    /// The revision `main`.`sub`.
    public init(main: Int64, sub: Int64 = 0) {
        self.main = main
        self.sub = sub
    }

    /// Revision order: by main revision, then by sub-revision.
    public static func < (lhs: Revision, rhs: Revision) -> Bool {
        lhs.main != rhs.main ? lhs.main < rhs.main : lhs.sub < rhs.sub
    }

    public var description: String { "\(main).\(sub)" }
}

/// The key format of the `key` database, byte-compatible with etcd's: 8 big-endian bytes of `main`,
/// the byte `_`, 8 big-endian bytes of `sub`, and for a tombstone (a delete) a trailing `t`.
/// Big-endian integers make LMDB's byte order the revision order.
enum RevisionKey {
    static let byteCount = 17
    static let markedByteCount = 18
    static let tombstoneMark = UInt8(ascii: "t")
    private static let separator = UInt8(ascii: "_")

    static func encode(_ revision: Revision, tombstone: Bool = false) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: tombstone ? markedByteCount : byteCount)
        let main = UInt64(bitPattern: revision.main)
        let sub = UInt64(bitPattern: revision.sub)
        for index in 0..<8 {
            bytes[index] = UInt8(truncatingIfNeeded: main >> (56 - 8 * UInt64(index)))
            bytes[9 + index] = UInt8(truncatingIfNeeded: sub >> (56 - 8 * UInt64(index)))
        }
        bytes[8] = separator
        if tombstone {
            bytes[byteCount] = tombstoneMark
        }
        return bytes
    }

    static func decode(_ bytes: UnsafeRawBufferPointer) -> Revision {
        precondition(bytes.count >= byteCount, "a revision key has at least \(byteCount) bytes")
        var main: UInt64 = 0
        var sub: UInt64 = 0
        for index in 0..<8 {
            main = main << 8 | UInt64(bytes[index])
            sub = sub << 8 | UInt64(bytes[9 + index])
        }
        return Revision(main: Int64(bitPattern: main), sub: Int64(bitPattern: sub))
    }

    static func isTombstone(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count == markedByteCount && bytes[byteCount] == tombstoneMark
    }
}
