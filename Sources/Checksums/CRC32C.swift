/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78, Go's `crc32.MakeTable(crc32.Castagnoli)`),
/// computed eight bytes at a time with slicing-by-8 tables. The WAL checks its records with it; etcd's
/// `Maintenance.Hash`, `HashKV` and `snapshot status` hash with it.
///
/// Values chain: `update(update(0, a), b) == checksum(a + b)`, which is how each WAL record's CRC
/// continues from the previous record's. A `CRC32C` value does the same incrementally.
public struct CRC32C: Sendable {
    /// The checksum of everything fed so far.
    public private(set) var value: UInt32 = 0

    /// A checksum of nothing yet.
    public init() {}

    /// Feeds `bytes`.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        self.value = Self.updateBytes(self.value, bytes)
    }

    /// Feeds `bytes`.
    public mutating func update(_ bytes: [UInt8]) {
        self.value = Self.update(self.value, bytes)
    }

    /// Feeds the UTF-8 bytes of `text`.
    public mutating func update(_ text: String) {
        self.update(Array(text.utf8))
    }

    /// The CRC of `bytes` continuing from `crc` (0 to start).
    @inlinable
    public static func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        updateBytes(crc, bytes)
    }

    /// The CRC of `bytes` continuing from `crc` (0 to start).
    public static func update(_ crc: UInt32, _ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { updateBytes(crc, $0) }
    }

    /// The CRC of `bytes`.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        update(0, bytes)
    }

    @usableFromInline
    static func updateBytes(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress else { return crc }
        return crc32cTables.withUnsafeBufferPointer { tables in
            var value = ~crc
            var position = 0
            let count = bytes.count
            while position + 8 <= count {
                let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: position, as: UInt64.self))
                    ^ UInt64(value)
                value = tables[7 * 256 + Int(word & 0xFF)]
                    ^ tables[6 * 256 + Int((word >> 8) & 0xFF)]
                    ^ tables[5 * 256 + Int((word >> 16) & 0xFF)]
                    ^ tables[4 * 256 + Int((word >> 24) & 0xFF)]
                    ^ tables[3 * 256 + Int((word >> 32) & 0xFF)]
                    ^ tables[2 * 256 + Int((word >> 40) & 0xFF)]
                    ^ tables[1 * 256 + Int((word >> 48) & 0xFF)]
                    ^ tables[Int(word >> 56)]
                position += 8
            }
            while position < count {
                let byte = base.load(fromByteOffset: position, as: UInt8.self)
                value = tables[Int((value ^ UInt32(byte)) & 0xFF)] ^ (value >> 8)
                position += 1
            }
            return ~value
        }
    }
}

/// Table k maps a byte to its CRC contribution k bytes further along: table 0 is the classic bytewise
/// table, and table k is table k-1 advanced through one more zero byte.
private let crc32cTables: [UInt32] = {
    let polynomial: UInt32 = 0x82F6_3B78
    var tables = [UInt32](repeating: 0, count: 8 * 256)
    for byte in 0..<256 {
        var value = UInt32(byte)
        for _ in 0..<8 { value = value & 1 == 1 ? (value >> 1) ^ polynomial : value >> 1 }
        tables[byte] = value
    }
    for k in 1..<8 {
        for byte in 0..<256 {
            let previous = tables[(k - 1) * 256 + byte]
            tables[k * 256 + byte] = tables[Int(previous & 0xFF)] ^ (previous >> 8)
        }
    }
    return tables
}()
