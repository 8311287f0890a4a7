import Foundation
import Raft
import Testing
import WAL

/// Damage to the files on a real disk: what is repaired (a torn final record) and what refuses to start
/// with the file and offset named (everything else).
@Suite struct CorruptionTests {
    private static let options = WALOptions(segmentSizeBytes: 8192)
    private static let entryCount: UInt64 = 150

    /// A WAL of several segments whose last record is entry ``entryCount`` with a payload of
    /// `lastPayloadBytes` bytes.
    private struct Fixture {
        let directory = TemporaryDirectory()
        let files: [String]
        let tailPath: String
        let tail: [UInt8]
        let lastRecordOffset: Int
        let lastRecordEnd: Int

        init(lastPayloadBytes: Int = 300) throws {
            let wal = try WAL.create(directory: self.directory.path, metadata: testMetadata, options: CorruptionTests.options)
            var next: UInt64 = 1
            while next < CorruptionTests.entryCount {
                let last = min(next + 2, CorruptionTests.entryCount - 1)
                wal.save(hardState: HardState(term: 1, vote: 1, commit: last), entries: makeEntries(next...last))
                next = last + 1
            }
            let lastEntry = Entry(term: 1, index: CorruptionTests.entryCount, data: [UInt8](repeating: 0x5A, count: lastPayloadBytes))
            wal.save(hardState: wal.hardState, entries: [lastEntry])
            wal.close()
            self.files = walFiles(POSIXFileSystem(), self.directory.path)
            self.tailPath = self.directory.path + "/" + self.files.last!
            self.tail = [UInt8](try Data(contentsOf: URL(fileURLWithPath: self.tailPath)))
            let last = parseFrames(self.tail).last!
            self.lastRecordOffset = last.offset
            self.lastRecordEnd = last.offset + last.frameLength
        }

        func writeTail(_ bytes: [UInt8]) throws {
            try Data(bytes).write(to: URL(fileURLWithPath: self.tailPath))
        }

        func path(_ file: String) -> String { self.directory.path + "/" + file }
    }

    private func open(_ fixture: Fixture) throws -> WALRecovery {
        try WAL.open(directory: fixture.directory.path, options: Self.options)
    }

    /// The error opening throws, or nil (closing the WAL) if it opens.
    private func openingError(_ fixture: Fixture) -> WALError? {
        do {
            try self.open(fixture).wal.close()
            return nil
        } catch let error as WALError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    /// Opens, expects entries 1...`count` (the last with its special payload if present), appends entry
    /// `count + 1` and expects it back after reopening.
    private func expectPrefix(_ fixture: Fixture, count: UInt64, repaired: Bool, _ context: String) throws {
        let recovered = try self.open(fixture)
        #expect(recovered.entries.count == Int(count), "\(context)")
        #expect(entriesAreIntact(Array(recovered.entries.prefix(Int(Self.entryCount) - 1)), startingAt: 1), "\(context)")
        #expect((recovered.repair != nil) == repaired, "\(context): repair \(String(describing: recovered.repair))")
        let tailBytes = try FileManager.default.attributesOfItem(atPath: fixture.tailPath)[.size] as? Int
        #expect(tailBytes.map { $0 >= Int(Self.options.segmentSizeBytes) } == true, "\(context): preallocated again")
        recovered.wal.save(hardState: recovered.hardState, entries: [Entry(term: 1, index: count + 1, data: payload(at: count + 1))])
        recovered.wal.close()
        let again = try self.open(fixture)
        #expect(again.entries.count == Int(count) + 1 && again.repair == nil, "\(context): appendable after repair")
        again.wal.close()
    }

    @Test func truncatingTheLastRecordAtEveryByteRecoversThePrefix() throws {
        let fixture = try Fixture()
        #expect(fixture.files.count >= 3)
        for cut in fixture.lastRecordOffset...fixture.lastRecordEnd {
            try fixture.writeTail(Array(fixture.tail[..<cut]))
            let whole = cut == fixture.lastRecordEnd
            try self.expectPrefix(fixture, count: whole ? Self.entryCount : Self.entryCount - 1,
                                  repaired: cut != fixture.lastRecordOffset && !whole, "file cut at \(cut)")
        }
    }

    @Test func zeroFillingTheLastRecordFromEveryByteRecoversThePrefix() throws {
        let fixture = try Fixture()
        for start in fixture.lastRecordOffset..<fixture.lastRecordEnd {
            var bytes = fixture.tail
            bytes.replaceSubrange(start..<fixture.lastRecordEnd, with: repeatElement(0, count: fixture.lastRecordEnd - start))
            try fixture.writeTail(bytes)
            // Zeroing only the padding changes nothing.
            let unchanged = bytes == fixture.tail
            try self.expectPrefix(fixture, count: unchanged ? Self.entryCount : Self.entryCount - 1,
                                  repaired: start != fixture.lastRecordOffset && !unchanged, "zeros from \(start)")
        }
    }

    @Test func aLostSectorOfTheLastRecordIsATornWrite() throws {
        let fixture = try Fixture(lastPayloadBytes: 3000)
        let sector = 512
        var sectorStart = fixture.lastRecordOffset / sector * sector
        var checked = 0
        while sectorStart < fixture.lastRecordEnd {
            var bytes = fixture.tail
            let lost = max(sectorStart, fixture.lastRecordOffset)..<min(sectorStart + sector, fixture.lastRecordEnd)
            bytes.replaceSubrange(lost, with: repeatElement(0, count: lost.count))
            try fixture.writeTail(bytes)
            try self.expectPrefix(fixture, count: Self.entryCount - 1, repaired: true, "sector at \(sectorStart) lost")
            sectorStart += sector
            checked += 1
        }
        #expect(checked >= 6)
    }

    @Test func strayBytesAfterTheLastRecordAreCleared() throws {
        let fixture = try Fixture()
        var bytes = fixture.tail
        bytes[fixture.lastRecordEnd + 700] = 0x42
        try fixture.writeTail(bytes)
        try self.expectPrefix(fixture, count: Self.entryCount, repaired: true, "stray byte")
    }

    @Test func aFlippedBitInAnyEarlierRecordRefusesToStart() throws {
        let fixture = try Fixture()
        let allBits = ProcessInfo.processInfo.environment["WAL_CORRUPTION_ALL_BITS"] != nil
        var random = TestRandom(seed: 7)
        let firstSegment = fixture.path(fixture.files[0])
        let firstBytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: firstSegment)))
        let tailFrames = parseFrames(fixture.tail)
        // The tail's CRC seed, an entry in the middle of the tail, and an entry in the first segment.
        let targets: [(path: String, bytes: [UInt8], frame: ParsedFrame)] = [
            (fixture.tailPath, fixture.tail, tailFrames[0]),
            (fixture.tailPath, fixture.tail, tailFrames[tailFrames.count / 2]),
            (firstSegment, firstBytes, parseFrames(firstBytes)[4]),
        ]
        var refusals = 0
        for target in targets {
            for byte in target.frame.offset..<(target.frame.offset + target.frame.frameLength) {
                for bit in allBits ? Array(0..<8) : [random.below(8)] {
                    var bytes = target.bytes
                    bytes[byte] ^= 1 << bit
                    try Data(bytes).write(to: URL(fileURLWithPath: target.path))
                    let error = self.openingError(fixture)
                    #expect(error != nil, "bit \(bit) of byte \(byte) in \(target.path)")
                    #expect(error?.code == .corruptRecord)
                    #expect(error?.path == target.path && error?.offset == Int64(target.frame.offset))
                    #expect(error?.message.contains("\(target.path), offset \(target.frame.offset)") == true)
                    refusals += 1
                }
            }
            try Data(target.bytes).write(to: URL(fileURLWithPath: target.path))
        }
        #expect(refusals > 200)
        let intact = try self.open(fixture)
        #expect(intact.entries.count == Int(Self.entryCount) && intact.repair == nil)
        intact.wal.close()
    }

    @Test func aMissingMiddleSegmentRefusesToStart() throws {
        let fixture = try Fixture()
        let middle = fixture.path(fixture.files[1])
        try FileManager.default.removeItem(atPath: middle)
        let error = self.openingError(fixture)
        #expect(error?.code == .missingSegment)
        #expect(error?.message.contains(fixture.files[2]) == true)
    }

    @Test func aMisnamedSegmentRefusesToStart() throws {
        let fixture = try Fixture()
        let name = fixture.files[1]
        let renamed = String(name.prefix(17)) + "00000000000000ff.wal"
        try FileManager.default.moveItem(atPath: fixture.path(name), toPath: fixture.path(renamed))
        let error = self.openingError(fixture)
        #expect(error?.code == .indexMismatch)
        #expect(error?.message.contains(renamed) == true)
    }

    @Test func aTruncatedEarlierSegmentRefusesToStart() throws {
        let fixture = try Fixture()
        let path = fixture.path(fixture.files[0])
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let cut = parseFrames(bytes).last!.offset + 20
        try Data(bytes[..<cut]).write(to: URL(fileURLWithPath: path))
        let error = self.openingError(fixture)
        #expect(error?.code == .corruptRecord && error?.path == path)
    }
}
