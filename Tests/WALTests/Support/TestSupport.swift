import Foundation
import Raft
import WAL

/// SplitMix64, so every randomized test replays from its seed.
typealias TestRandom = SplitMix64

/// The payload every test writes at `index`: its length and bytes are a function of the index, so a
/// recovered entry can be checked without remembering what was written.
func payload(at index: UInt64) -> [UInt8] {
    let length = Int((index &* 2_654_435_761) % 300)
    return (0..<length).map { UInt8(truncatingIfNeeded: index &* 31 &+ UInt64($0) &* 7 &+ 1) }
}

/// Entries `range` of term `term` with ``payload(at:)`` data.
func makeEntries(_ range: ClosedRange<UInt64>, term: UInt64 = 1) -> [Entry] {
    range.map { Entry(term: term, index: $0, data: payload(at: $0)) }
}

/// Whether `entries` are exactly `first...` consecutive with ``payload(at:)`` data.
func entriesAreIntact(_ entries: [Entry], startingAt first: UInt64) -> Bool {
    entries.enumerated().allSatisfy { position, entry in
        entry.index == first + UInt64(position) && entry.data == payload(at: entry.index)
    }
}

let testMetadata = WALMetadata(memberID: 0x8e9e_05c5_2164_694d, clusterID: 0xcdf8_1819_4e3a_8c32)

/// A directory under the system temporary directory, removed when released.
final class TemporaryDirectory {
    let path: String

    init() {
        self.path = NSTemporaryDirectory() + "wal-tests-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: self.path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: self.path)
    }
}

/// One frame as the documented on-disk format lays it out (see `RecordFrame`).
struct ParsedFrame {
    let offset: Int
    let payloadLength: Int
    let type: UInt8
    let padding: Int
    let headerCRC: UInt32
    let recordCRC: UInt32
    let payload: [UInt8]

    var frameLength: Int { 16 + self.payloadLength + self.padding }
}

func littleEndianUInt32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
    (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + $1]) << (8 * $1) }
}

/// Parses frames from the start of a segment until an all-zero header or the end of the bytes, without
/// checking anything.
func parseFrames(_ bytes: [UInt8]) -> [ParsedFrame] {
    var frames: [ParsedFrame] = []
    var offset = 0
    while offset + 16 <= bytes.count, bytes[offset..<(offset + 16)].contains(where: { $0 != 0 }) {
        let length = Int(littleEndianUInt32(bytes, offset))
        let padding = Int(bytes[offset + 5])
        guard offset + 16 + length + padding <= bytes.count else { break }
        frames.append(ParsedFrame(
            offset: offset, payloadLength: length, type: bytes[offset + 4], padding: padding,
            headerCRC: littleEndianUInt32(bytes, offset + 8), recordCRC: littleEndianUInt32(bytes, offset + 12),
            payload: Array(bytes[(offset + 16)..<(offset + 16 + length)])
        ))
        offset += 16 + length + padding
    }
    return frames
}

/// The end offset of the last frame of a segment.
func dataEnd(_ bytes: [UInt8]) -> Int {
    parseFrames(bytes).last.map { $0.offset + $0.frameLength } ?? 0
}

/// Sorted `*.wal` names in a directory of `fileSystem`.
func walFiles(_ fileSystem: any FileSystem, _ directory: String) -> [String] {
    ((try? fileSystem.listDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".wal") }.sorted()
}
