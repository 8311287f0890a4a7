/// Decides whether damage at the end of the last segment is a torn write (a crash or power cut stopped a
/// write part way, which is repaired by truncation) rather than corruption of data that was durable
/// (which must never be skipped silently).
///
/// A torn write leaves one of these shapes, and the rules accept exactly those:
/// - the file ends inside the record (the write, or the file's growth, was cut short);
/// - nothing but zeros follows the damaged record, or the damaged header (the write stopped part way
///   into preallocated space);
/// - half of a header that straddles two sectors reads as zeros (one of the two sectors was lost);
/// - a whole disk sector of the record, after the sector holding its header, reads as zeros (the disk
///   wrote the batch's sectors out of order and lost this one; etcd's rule, restricted to whole sectors
///   so that zero padding or a short zero run in a payload is never mistaken for a lost sector).
///
/// What stays ambiguous: damage to the very last record of the log, or to a record whose payload holds
/// a whole aligned sector of zeros, looks torn and is repaired, as in etcd.
enum TornWrite {
    static func isTorn(_ damage: RecordDecoder.Damage, at offset: Int, in bytes: UnsafeRawBufferPointer) -> Bool {
        let headerEnd = offset + RecordFrame.headerBytes
        switch damage {
        case .truncatedHeader, .runsPastEnd:
            return true
        case .headerChecksum:
            // An 8-byte-aligned header crosses a sector boundary only at its middle; either half may be lost.
            let straddles = (offset + 8) % RecordFrame.sectorBytes == 0
            let halfLost = straddles && (isZero(bytes, offset..<(offset + 8)) || isZero(bytes, (offset + 8)..<headerEnd))
            return halfLost || isZero(bytes, headerEnd..<bytes.count)
        case .checksum, .nonzeroPadding, .unknownType:
            let frameEnd = damage.frameEnd!
            return isZero(bytes, frameEnd..<bytes.count) || hasLostSector(bytes, after: headerEnd, before: frameEnd)
        }
    }

    /// Whether a whole sector that starts at or after `start` and begins before `end` reads as zeros (up
    /// to the end of the file, for a last sector the file ends in).
    private static func hasLostSector(_ bytes: UnsafeRawBufferPointer, after start: Int, before end: Int) -> Bool {
        let sector = RecordFrame.sectorBytes
        var sectorStart = (start + sector - 1) / sector * sector
        while sectorStart < end {
            if isZero(bytes, sectorStart..<min(sectorStart + sector, bytes.count)) { return true }
            sectorStart += sector
        }
        return false
    }
}
