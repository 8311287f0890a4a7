/// A byte string as a dictionary key, hashed in one pass over its bytes (an `[UInt8]` key hashes each
/// byte separately, which dominates lookups of short keys).
public struct HashedBytes: Hashable, Sendable {
    /// The bytes.
    public let bytes: [UInt8]

    /// Wraps `bytes`.
    @inlinable
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    @inlinable
    public func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    @inlinable
    public static func == (lhs: HashedBytes, rhs: HashedBytes) -> Bool {
        lhs.bytes == rhs.bytes
    }
}

extension Bytes {
    /// The permutation that sorts `keys` in byte order. Compares their first 8 bytes as integers first
    /// and the full keys only on ties, over one contiguous copy of the keys, so that comparing touches
    /// no reference counts (sorting a million keys directly spends most of its time retaining and
    /// releasing them).
    public static func sortedOrder(of keys: [[UInt8]]) -> [Int] {
        var arena: [UInt8] = []
        arena.reserveCapacity(keys.reduce(0) { $0 + $1.count })
        var offsets: [Int] = []
        offsets.reserveCapacity(keys.count + 1)
        var prefixes: [UInt64] = []
        prefixes.reserveCapacity(keys.count)
        for key in keys {
            offsets.append(arena.count)
            arena.append(contentsOf: key)
            var prefix: UInt64 = 0
            for index in 0..<8 {
                prefix = prefix << 8 | UInt64(index < key.count ? key[index] : 0)
            }
            prefixes.append(prefix)
        }
        offsets.append(arena.count)
        var order = Array(keys.indices)
        arena.withUnsafeBytes { bytes in
            offsets.withUnsafeBufferPointer { offsets in
                prefixes.withUnsafeBufferPointer { prefixes in
                    order.sort { left, right in
                        let leftPrefix = prefixes[left]
                        let rightPrefix = prefixes[right]
                        if leftPrefix != rightPrefix {
                            return leftPrefix < rightPrefix
                        }
                        let lhs = UnsafeRawBufferPointer(rebasing: bytes[offsets[left]..<offsets[left + 1]])
                        let rhs = UnsafeRawBufferPointer(rebasing: bytes[offsets[right]..<offsets[right + 1]])
                        return compare(lhs, rhs) < 0
                    }
                }
            }
        }
        return order
    }
}
