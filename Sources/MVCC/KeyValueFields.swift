/// The fields of an encoded `mvccpb.KeyValue` that rebuilding the key index needs, read straight from
/// the stored bytes without decoding the value: restoring a million keys decodes nothing else.
struct KeyValueFields {
    var key: [UInt8] = []
    var createRevision: Int64 = 0
    var version: Int64 = 0
    var lease: Int64 = 0

    /// Parses `bytes`; nil when they are not a well-formed `KeyValue`.
    init?(_ bytes: UnsafeRawBufferPointer) {
        var reader = ProtobufReader(bytes)
        while !reader.isAtEnd {
            guard let (field, wireType) = reader.readTag() else { return nil }
            switch (field, wireType) {
            case (1, 2):
                guard let range = reader.readLengthDelimited() else { return nil }
                key = Array(UnsafeRawBufferPointer(rebasing: bytes[range]))
            case (2, 0):
                guard let value = reader.readVarint() else { return nil }
                createRevision = Int64(bitPattern: value)
            case (4, 0):
                guard let value = reader.readVarint() else { return nil }
                version = Int64(bitPattern: value)
            case (6, 0):
                guard let value = reader.readVarint() else { return nil }
                lease = Int64(bitPattern: value)
            default:
                guard reader.skip(wireType: wireType) else { return nil }
            }
        }
    }

    /// The key alone, for the compaction's "is this revision kept" check.
    static func key(_ bytes: UnsafeRawBufferPointer) -> [UInt8]? {
        var reader = ProtobufReader(bytes)
        while !reader.isAtEnd {
            guard let (field, wireType) = reader.readTag() else { return nil }
            if field == 1, wireType == 2 {
                guard let range = reader.readLengthDelimited() else { return nil }
                return Array(UnsafeRawBufferPointer(rebasing: bytes[range]))
            }
            guard reader.skip(wireType: wireType) else { return nil }
        }
        return []
    }
}

/// A minimal protobuf wire-format reader over borrowed bytes (also the key index records' varints).
struct ProtobufReader {
    private let bytes: UnsafeRawBufferPointer
    private var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { offset >= bytes.count }

    mutating func readVarint() -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count, shift < 64 {
            let byte = bytes[offset]
            offset += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 {
                return value
            }
            shift += 7
        }
        return nil
    }

    mutating func readTag() -> (field: Int, wireType: Int)? {
        guard let tag = readVarint(), tag >> 3 > 0, tag >> 3 < 1 << 29 else { return nil }
        return (Int(tag >> 3), Int(tag & 0x07))
    }

    mutating func readLengthDelimited() -> Range<Int>? {
        guard let length = readVarint(), length <= UInt64(bytes.count - offset) else { return nil }
        let range = offset..<(offset + Int(length))
        offset += Int(length)
        return range
    }

    mutating func skip(wireType: Int) -> Bool {
        switch wireType {
        case 0:
            return readVarint() != nil
        case 1, 5:
            let width = wireType == 1 ? 8 : 4
            guard bytes.count - offset >= width else { return false }
            offset += width
            return true
        case 2:
            return readLengthDelimited() != nil
        default:
            return false
        }
    }
}
