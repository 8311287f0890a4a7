import Checksums
import Raft
import Testing
import WAL

/// The on-disk format, checked from outside against its documentation: frame layout, alignment, padding,
/// header and record CRCs, and the CRC chain within and across segments.
@Suite struct FramingTests {
    private let directory = "/wal"

    /// Record types on disk.
    private enum Kind {
        static let metadata: UInt8 = 1
        static let entry: UInt8 = 2
        static let hardState: UInt8 = 3
        static let crcSeed: UInt8 = 4
        static let snapshotMarker: UInt8 = 5
    }

    @Test func framesAreAlignedPaddedAndChecksummed() throws {
        let fileSystem = MemoryFileSystem()
        let wal = try WAL.create(directory: self.directory, metadata: testMetadata, fileSystem: fileSystem,
                                 options: WALOptions(segmentSizeBytes: 1 << 20))
        // Payload lengths 0...16 cover every padding amount.
        for index in UInt64(1)...17 {
            wal.save(hardState: HardState(term: 1, vote: 1, commit: index - 1),
                     entries: [Entry(term: 1, index: index, data: [UInt8](repeating: 0xAB, count: Int(index - 1)))])
        }
        let bytes = fileSystem.contents(atPath: self.directory + "/" + walFiles(fileSystem, self.directory)[0])!
        #expect(bytes.count == 1 << 20, "segment is preallocated")
        let frames = parseFrames(bytes)
        #expect(frames.map(\.type).prefix(3) == [Kind.crcSeed, Kind.metadata, Kind.snapshotMarker])
        #expect(frames.filter { $0.type == Kind.entry }.count == 17)
        #expect(Set(frames.map(\.padding)) == Set(0...7))
        var chain = littleEndianUInt32(frames[0].payload, 0)
        #expect(chain == 0, "the first segment's chain starts at zero")
        for frame in frames {
            #expect(frame.offset % 8 == 0)
            #expect(frame.frameLength % 8 == 0)
            #expect(frame.padding == (8 - frame.payloadLength % 8) % 8)
            let header = Array(bytes[frame.offset..<(frame.offset + 8)])
            #expect(header[6] == 0 && header[7] == 0)
            #expect(frame.headerCRC == CRC32C.checksum(header))
            #expect(frame.recordCRC == CRC32C.update(CRC32C.update(chain, header), frame.payload))
            let padding = bytes[(frame.offset + 16 + frame.payloadLength)..<(frame.offset + frame.frameLength)]
            #expect(padding.allSatisfy { $0 == 0 })
            chain = frame.recordCRC
        }
        #expect(bytes[dataEnd(bytes)...].allSatisfy { $0 == 0 }, "the preallocated tail stays zero")
        wal.close()
    }

    @Test func chainContinuesAcrossSegments() throws {
        let fileSystem = MemoryFileSystem()
        let wal = try WAL.create(directory: self.directory, metadata: testMetadata, fileSystem: fileSystem,
                                 options: WALOptions(segmentSizeBytes: 4096))
        for batch in UInt64(0)..<40 {
            let range = (batch * 5 + 1)...(batch * 5 + 5)
            wal.save(hardState: HardState(term: 1, vote: 1, commit: range.upperBound), entries: makeEntries(range))
        }
        wal.close()
        let names = walFiles(fileSystem, self.directory)
        #expect(names.count > 3)
        var previousLastCRC: UInt32? = nil
        for name in names {
            let frames = parseFrames(fileSystem.contents(atPath: self.directory + "/" + name)!)
            #expect(frames[0].type == Kind.crcSeed)
            #expect(frames[1].type == Kind.metadata)
            let seed = littleEndianUInt32(frames[0].payload, 0)
            if let previousLastCRC {
                #expect(seed == previousLastCRC, "\(name) continues the previous segment's chain")
                #expect(frames[2].type == Kind.hardState, "a cut segment repeats the hard state")
            }
            previousLastCRC = frames.last!.recordCRC
        }
    }
}
