import Checksums
import Glibc

/// Reads framed records back out of one segment's bytes, checking the CRC chain.
struct RecordDecoder {
    /// What the next position holds.
    enum Outcome: Equatable {
        /// A valid record; `payload` indexes the segment's bytes.
        case record(RecordType, payload: Range<Int>)
        /// The end of the data: the end of the bytes, or an all-zero header (preallocated space).
        case end
        /// Something that is not a valid record starts at ``RecordDecoder/offset``.
        case damaged(Damage)
    }

    /// Why the record at the current offset is not valid.
    enum Damage: Equatable {
        /// The bytes end inside the header.
        case truncatedHeader
        /// The header's own CRC does not match: its length cannot be trusted.
        case headerChecksum
        /// The header is intact but the frame runs past the end of the bytes.
        case runsPastEnd(frameEnd: Int)
        /// The record CRC does not match.
        case checksum(frameEnd: Int)
        /// The padding after the payload is not zero.
        case nonzeroPadding(frameEnd: Int)
        /// The header is intact but names no known record type.
        case unknownType(UInt8, frameEnd: Int)

        var message: String {
            switch self {
            case .truncatedHeader: "wal: unexpected end of file in a record header"
            case .headerChecksum: "wal: record header crc mismatch"
            case .runsPastEnd: "wal: record runs past the end of the file"
            case .checksum: "wal: crc mismatch"
            case .nonzeroPadding: "wal: nonzero record padding"
            case .unknownType(let type, _): "wal: unexpected record type \(type)"
            }
        }

        /// Where the damaged frame claims to end, if its header can be trusted and it fits the bytes.
        var frameEnd: Int? {
            switch self {
            case .truncatedHeader, .headerChecksum, .runsPastEnd: nil
            case .checksum(let end), .nonzeroPadding(let end), .unknownType(_, let end): end
            }
        }
    }

    /// Offset of the next record to decode; after a valid record, just past it.
    private(set) var offset = 0
    /// The record CRC of the last valid record; nil until the first record, which must then be a
    /// ``RecordType/crcSeed`` whose payload supplies it.
    private(set) var chain: UInt32?

    init(chain: UInt32?) {
        self.chain = chain
    }

    /// Decodes the record at ``offset``, advancing past it only if it is valid.
    mutating func next(in bytes: UnsafeRawBufferPointer) -> Outcome {
        let start = self.offset
        if start == bytes.count { return .end }
        guard start + RecordFrame.headerBytes <= bytes.count else {
            return isZero(bytes, start..<bytes.count) ? .end : .damaged(.truncatedHeader)
        }
        if isZero(bytes, start..<(start + RecordFrame.headerBytes)) { return .end }
        let header = UnsafeRawBufferPointer(rebasing: bytes[start..<(start + 8)])
        guard CRC32C.update(0, header) == readLittleEndianUInt32(bytes, at: start + 8),
              bytes[start + 6] == 0, bytes[start + 7] == 0
        else {
            return .damaged(.headerChecksum)
        }
        let length = Int(readLittleEndianUInt32(bytes, at: start))
        let padding = Int(bytes[start + 5])
        let payloadStart = start + RecordFrame.headerBytes
        let frameEnd = payloadStart + length + padding
        guard padding == RecordFrame.paddingBytes(forPayload: length) else { return .damaged(.headerChecksum) }
        guard frameEnd <= bytes.count else { return .damaged(.runsPastEnd(frameEnd: frameEnd)) }
        guard let type = RecordType(rawValue: bytes[start + 4]) else {
            return .damaged(.unknownType(bytes[start + 4], frameEnd: frameEnd))
        }
        let payload = payloadStart..<(payloadStart + length)
        var chain = self.chain ?? 0
        if self.chain == nil {
            guard type == .crcSeed, length == 4 else { return .damaged(.checksum(frameEnd: frameEnd)) }
            chain = readLittleEndianUInt32(bytes, at: payloadStart)
        }
        let expected = readLittleEndianUInt32(bytes, at: start + 12)
        let actual = CRC32C.update(CRC32C.update(chain, header), UnsafeRawBufferPointer(rebasing: bytes[payload]))
        guard actual == expected else { return .damaged(.checksum(frameEnd: frameEnd)) }
        guard isZero(bytes, payload.upperBound..<frameEnd) else { return .damaged(.nonzeroPadding(frameEnd: frameEnd)) }
        self.chain = actual
        self.offset = frameEnd
        return .record(type, payload: payload)
    }
}

/// Whether every byte in `range` is zero: the first byte is zero and every byte equals the next one
/// (one `memcmp`, which stays fast even in unoptimized builds over a whole preallocated segment).
func isZero(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
    guard !range.isEmpty else { return true }
    let start = bytes.baseAddress! + range.lowerBound
    guard start.load(as: UInt8.self) == 0 else { return false }
    return memcmp(start, start + 1, range.count - 1) == 0
}
