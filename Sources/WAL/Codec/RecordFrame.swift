import Checksums

/// The on-disk frame of one record, 8-byte aligned so no header ever straddles a disk sector:
///
/// ```
/// offset  size  field
///      0     4  payload length in bytes (little-endian)
///      4     1  record type (never 0, so an all-zero header marks the end of the data)
///      5     1  padding length after the payload, 0...7
///      6     2  zero
///      8     4  header CRC: CRC-32C of bytes 0..<8, so a damaged length is never trusted
///     12     4  record CRC: CRC-32C of bytes 0..<8 and the payload, continuing from the previous
///               record's record CRC (across segments too)
///     16     n  payload
///   16+n     p  zero padding to the next multiple of 8
/// ```
enum RecordFrame {
    /// Bytes before the payload.
    static let headerBytes = 16
    /// Frames start and end on multiples of this.
    static let alignmentBytes = 8
    /// The largest payload a record may hold. Raft entries are bounded far below this by the server's
    /// request size limit; a bigger one is a programming error.
    static let maxPayloadBytes = 256 * 1024 * 1024
    /// Disk sector size assumed when judging whether a damaged record is a torn write.
    static let sectorBytes = 512

    /// Zero bytes after a payload of `length` bytes.
    static func paddingBytes(forPayload length: Int) -> Int {
        (alignmentBytes - length % alignmentBytes) % alignmentBytes
    }

}

/// Appends framed records to a byte buffer, keeping the CRC chain.
struct RecordEncoder {
    /// The record CRC of the last record encoded (or the chain value it started from).
    private(set) var chain: UInt32
    /// Encoded frames not yet written.
    var buffer: [UInt8] = []

    init(chain: UInt32) {
        self.chain = chain
    }

    /// Frames `payload` as a record of `type` at the end of ``buffer``.
    mutating func append(_ type: RecordType, payload: [UInt8]) {
        precondition(payload.count <= RecordFrame.maxPayloadBytes, "WAL record of \(payload.count) bytes is too large")
        let padding = RecordFrame.paddingBytes(forPayload: payload.count)
        let start = self.buffer.count
        appendLittleEndian(UInt32(payload.count), to: &self.buffer)
        self.buffer.append(type.rawValue)
        self.buffer.append(UInt8(padding))
        self.buffer.append(contentsOf: [0, 0])
        let (headerCRC, chainedHeaderCRC) = self.buffer.withUnsafeBytes { buffer in
            let header = UnsafeRawBufferPointer(rebasing: buffer[start..<(start + 8)])
            return (CRC32C.update(0, header), CRC32C.update(self.chain, header))
        }
        let recordCRC = CRC32C.update(chainedHeaderCRC, payload)
        appendLittleEndian(headerCRC, to: &self.buffer)
        appendLittleEndian(recordCRC, to: &self.buffer)
        self.buffer.append(contentsOf: payload)
        self.buffer.append(contentsOf: repeatElement(0, count: padding))
        self.chain = recordCRC
    }

    /// Empties ``buffer`` (keeping its capacity) after it was written.
    mutating func clearBuffer() {
        self.buffer.removeAll(keepingCapacity: true)
    }
}

func appendLittleEndian(_ value: UInt32, to bytes: inout [UInt8]) {
    withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
}

func readLittleEndianUInt32(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt32 {
    UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
}
