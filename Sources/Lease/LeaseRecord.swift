/// A granted lease as it is persisted: its ID, the TTL it was granted with and the remaining TTL of its
/// last checkpoint.
public struct LeaseRecord: Sendable, Equatable, Hashable {
    /// The lease ID (never 0, which means "no lease").
    public let id: Int64
    /// The TTL the lease was granted with, in seconds.
    public let ttlSeconds: Int64
    /// The remaining TTL recorded by the last checkpoint, in seconds; 0 when never checkpointed.
    public var remainingTTLSeconds: Int64

    /// A record for lease `id`.
    public init(id: Int64, ttlSeconds: Int64, remainingTTLSeconds: Int64 = 0) {
        self.id = id
        self.ttlSeconds = ttlSeconds
        self.remainingTTLSeconds = remainingTTLSeconds
    }

    /// The TTL to restart the lease's clock with (etcd's `RemainingTTL`): the checkpointed remaining TTL
    /// when there is one, otherwise the granted TTL.
    public var effectiveTTLSeconds: Int64 {
        remainingTTLSeconds > 0 ? remainingTTLSeconds : ttlSeconds
    }
}

/// The lease database's format, byte-compatible with etcd's: the key is the ID as 8 big-endian bytes
/// and the value is a `leasepb.Lease` protobuf message (`ID = 1`, `TTL = 2`, `RemainingTTL = 3`, all
/// int64 varints, zero fields omitted).
enum LeaseRecordCodec {
    static func key(_ id: Int64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: UInt64(bitPattern: id) >> (56 - 8 * UInt64($0))) }
    }

    static func encode(_ record: LeaseRecord) -> [UInt8] {
        var bytes: [UInt8] = []
        for (field, value) in [(1, record.id), (2, record.ttlSeconds), (3, record.remainingTTLSeconds)] where value != 0 {
            bytes.append(UInt8(field << 3))
            var remaining = UInt64(bitPattern: value)
            while remaining >= 0x80 {
                bytes.append(UInt8(truncatingIfNeeded: remaining) | 0x80)
                remaining >>= 7
            }
            bytes.append(UInt8(remaining))
        }
        return bytes
    }

    /// Decodes a record; nil when the bytes are not a well-formed `leasepb.Lease`.
    static func decode(_ bytes: UnsafeRawBufferPointer) -> LeaseRecord? {
        var fields: [Int: Int64] = [:]
        var index = 0
        while index < bytes.count {
            let tag = bytes[index]
            index += 1
            guard tag & 0x07 == 0, (1...3).contains(Int(tag >> 3)) else { return nil }
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard index < bytes.count, shift < 64 else { return nil }
                let byte = bytes[index]
                index += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { break }
                shift += 7
            }
            fields[Int(tag >> 3)] = Int64(bitPattern: value)
        }
        guard let id = fields[1] else { return nil }
        return LeaseRecord(id: id, ttlSeconds: fields[2] ?? 0, remainingTTLSeconds: fields[3] ?? 0)
    }
}
