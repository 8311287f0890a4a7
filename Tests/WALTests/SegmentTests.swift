import Raft
import Testing
import WAL

@Suite struct SegmentTests {
    private let directory = "/data/member/wal"
    private let small = WALOptions(segmentSizeBytes: 1 << 20)

    private func makeFileSystem() throws -> MemoryFileSystem {
        let fileSystem = MemoryFileSystem()
        try fileSystem.createDirectory(atPath: "/data")
        try fileSystem.createDirectory(atPath: "/data/member")
        return fileSystem
    }

    private func saveBatches(_ wal: WAL, through last: UInt64, batch: UInt64 = 4, from first: UInt64 = 1) {
        var next = first
        while next <= last {
            let end = min(next + batch - 1, last)
            wal.save(hardState: HardState(term: 1, vote: 1, commit: end), entries: makeEntries(next...end))
            next = end + 1
        }
    }

    @Test func segmentsAreNamedBySequenceAndFirstIndex() throws {
        let fileSystem = try self.makeFileSystem()
        let wal = try WAL.create(directory: self.directory, metadata: testMetadata, fileSystem: fileSystem,
                                 options: WALOptions(segmentSizeBytes: 4096))
        #expect(wal.segmentFileNames == ["0000000000000000-0000000000000000.wal"])
        self.saveBatches(wal, through: 200)
        let names = wal.segmentFileNames
        #expect(names == walFiles(fileSystem, self.directory))
        for (sequence, name) in names.enumerated() {
            let parts = name.dropLast(4).split(separator: "-")
            #expect(parts.count == 2 && parts.allSatisfy { $0.count == 16 })
            #expect(UInt64(parts[0], radix: 16) == UInt64(sequence))
            if sequence > 0 {
                // Batches are 4 entries, so each cut happens after an index divisible by 4.
                #expect((UInt64(parts[1], radix: 16)! - 1) % 4 == 0)
            }
        }
        wal.close()
        #expect(!(try fileSystem.listDirectory(atPath: self.directory)).contains { $0.hasSuffix(".tmp") })
    }

    @Test func readsBackEverythingAcrossSegments() throws {
        let fileSystem = try self.makeFileSystem()
        let wal = try WAL.create(directory: self.directory, metadata: testMetadata, fileSystem: fileSystem,
                                 options: WALOptions(segmentSizeBytes: 4096))
        self.saveBatches(wal, through: 300, batch: 7)
        wal.close()
        let recovered = try WAL.open(directory: self.directory, fileSystem: fileSystem, options: WALOptions(segmentSizeBytes: 4096))
        #expect(recovered.metadata == testMetadata)
        #expect(recovered.hardState == HardState(term: 1, vote: 1, commit: 300))
        #expect(recovered.entries.count == 300 && entriesAreIntact(recovered.entries, startingAt: 1))
        #expect(recovered.repair == nil)
        #expect(recovered.wal.lastIndex == 300)
        // And it appends where it left off.
        self.saveBatches(recovered.wal, through: 320, from: 301)
        recovered.wal.close()
        let again = try WAL.open(directory: self.directory, fileSystem: fileSystem, options: WALOptions(segmentSizeBytes: 4096))
        #expect(again.entries.count == 320 && entriesAreIntact(again.entries, startingAt: 1))
        again.wal.close()
    }

    @Test func laterWritesOfAnIndexReplaceTheLogFromThere() throws {
        let fileSystem = try self.makeFileSystem()
        let wal = try WAL.create(directory: self.directory, metadata: testMetadata, fileSystem: fileSystem, options: self.small)
        wal.save(hardState: HardState(term: 1, vote: 1, commit: 2), entries: makeEntries(1...10))
        wal.save(hardState: HardState(term: 2, vote: 2, commit: 2), entries: [Entry(term: 2, index: 6, data: [9])])
        wal.close()
        let recovered = try WAL.open(directory: self.directory, fileSystem: fileSystem, options: self.small)
        #expect(recovered.entries.map(\.index) == Array(1...6))
        #expect(recovered.entries.last == Entry(term: 2, index: 6, data: [9]))
        #expect(recovered.hardState.term == 2)
        recovered.wal.close()
    }

    @Test func oneSyncPerSaveAndNoneWhenNothingDurableChanged() throws {
        let fileSystem = try self.makeFileSystem()
        var options = self.small
        options.zeroFillAheadBytes = 0
        let wal = try WAL.create(directory: self.directory, metadata: testMetadata, fileSystem: fileSystem, options: options)
        for size in [1, 16, 256] {
            let first = wal.lastIndex + 1
            let syncs = fileSystem.fileSyncCount
            let operations = fileSystem.operationCount
            wal.save(hardState: HardState(term: 1, vote: 1, commit: first),
                     entries: makeEntries(first...(first + UInt64(size) - 1)))
            #expect(fileSystem.fileSyncCount == syncs + 1, "batch of \(size)")
            #expect(fileSystem.operationCount == operations + 2, "one write and one sync for \(size) entries")
        }
        let commitOnly = fileSystem.operationCount
        wal.save(hardState: HardState(term: 1, vote: 1, commit: wal.lastIndex), entries: [])
        #expect(fileSystem.operationCount == commitOnly + 1, "a new commit index is written but not synced")
        let unchanged = fileSystem.operationCount
        wal.save(hardState: wal.hardState, entries: [])
        wal.save(hardState: .empty, entries: [])
        #expect(fileSystem.operationCount == unchanged, "nothing new: nothing written")
        let syncs = fileSystem.fileSyncCount
        wal.save(hardState: HardState(term: 2, vote: 0, commit: wal.lastIndex), entries: [])
        #expect(fileSystem.fileSyncCount == syncs + 1, "a new term must be durable")
        wal.close()
    }

    @Test func zerosAreWrittenAheadOncePerPieceAndNeverReadAsRecords() throws {
        let fileSystem = try self.makeFileSystem()
        let options = WALOptions(segmentSizeBytes: 1 << 20, zeroFillAheadBytes: 8 << 10)
        let wal = try WAL.create(directory: self.directory, metadata: testMetadata, fileSystem: fileSystem, options: options)
        var zeroWrites = 0
        var recordBytes = 0
        wal.writeObserver = { recordBytes += $0 }
        for first in stride(from: UInt64(1), through: 400, by: 4) {
            let operations = fileSystem.operationCount
            wal.save(hardState: HardState(term: 1, vote: 1, commit: first), entries: makeEntries(first...(first + 3)))
            let extra = fileSystem.operationCount - operations - 2
            #expect(extra == 0 || extra == 1, "a save writes its records, at most one piece of zeros, and syncs")
            zeroWrites += extra
        }
        try #require(wal.segmentFileNames.count == 1, "the test stays in one segment")
        let tail = try #require(fileSystem.contents(atPath: "\(self.directory)/\(wal.segmentFileNames[0])"))
        #expect(tail.count == Int(options.segmentSizeBytes), "the zeros stay inside the preallocated segment")
        #expect(recordBytes > 3 * (8 << 10), "the records span several pieces")
        #expect(zeroWrites >= recordBytes / (8 << 10), "each 8 KiB of records starts a new piece of zeros")
        #expect(zeroWrites <= recordBytes / (8 << 10) + 1, "no more than one piece per 8 KiB of records")
        wal.close()
        let recovered = try WAL.open(directory: self.directory, fileSystem: fileSystem, options: options)
        #expect(recovered.entries.map(\.index) == Array(1...400))
        #expect(recovered.repair == nil, "zeros after the last record are the log's end, not damage")
        recovered.wal.close()
    }

    @Test func createRefusesAnExistingLogAndCreationIsDurable() throws {
        let fileSystem = try self.makeFileSystem()
        let wal = try WAL.create(directory: self.directory, metadata: testMetadata, fileSystem: fileSystem, options: self.small)
        wal.close()
        #expect(WAL.exists(directory: self.directory, fileSystem: fileSystem))
        #expect(throws: WALError.self) { try WAL.create(directory: self.directory, metadata: testMetadata, fileSystem: fileSystem) }
        fileSystem.cutPower(.dropUnsynced)
        let recovered = try WAL.open(directory: self.directory, fileSystem: fileSystem, options: self.small)
        #expect(recovered.metadata == testMetadata && recovered.entries.isEmpty)
        recovered.wal.close()
    }

    @Test func leftoverTemporarySegmentIsIgnoredAndRemoved() throws {
        let fileSystem = try self.makeFileSystem()
        let wal = try WAL.create(directory: self.directory, metadata: testMetadata, fileSystem: fileSystem, options: self.small)
        self.saveBatches(wal, through: 8)
        wal.close()
        let stray = try fileSystem.openFile(atPath: self.directory + "/0000000000000001-0000000000000009.wal.tmp", mode: .createNew)
        try stray.write([1, 2, 3], atOffset: 0)
        try stray.close()
        let recovered = try WAL.open(directory: self.directory, fileSystem: fileSystem, options: self.small)
        #expect(recovered.entries.count == 8)
        #expect(!(try fileSystem.listDirectory(atPath: self.directory)).contains { $0.hasSuffix(".tmp") })
        recovered.wal.close()
    }

    @Test func releaseDeletesOnlySegmentsBeforeTheSnapshot() throws {
        let fileSystem = try self.makeFileSystem()
        let options = WALOptions(segmentSizeBytes: 4096)
        let wal = try WAL.create(directory: self.directory, metadata: testMetadata, fileSystem: fileSystem, options: options)
        self.saveBatches(wal, through: 400)
        let before = wal.segmentFileNames
        #expect(before.count > 5)
        let marker = SnapshotMarker(index: 250, term: 1)
        wal.saveSnapshotMarker(marker)
        try wal.release(upTo: 250)
        let after = wal.segmentFileNames
        #expect(after == walFiles(fileSystem, self.directory))
        let firstIndices = after.map { UInt64($0.split(separator: "-")[1].dropLast(4), radix: 16)! }
        #expect(firstIndices[0] <= 250 && (after.count == 1 || firstIndices[1] > 250))
        #expect(before.suffix(after.count) == after[...])
        wal.close()
        // The released log still opens from the marker, but no longer from the start.
        let recovered = try WAL.open(directory: self.directory, from: marker, fileSystem: fileSystem, options: options)
        #expect(recovered.entries.count == 150 && entriesAreIntact(recovered.entries, startingAt: 251))
        recovered.wal.close()
        #expect(try WAL.snapshotMarkers(directory: self.directory, fileSystem: fileSystem) == [marker])
        #expect(throws: WALError.self) { try WAL.open(directory: self.directory, fileSystem: fileSystem, options: self.small) }
        let reopened = try WAL.open(directory: self.directory, from: marker, fileSystem: fileSystem, options: options)
        try reopened.wal.release(upTo: 1_000_000)
        #expect(reopened.wal.segmentFileNames.count == 1, "the tail is never released")
        reopened.wal.close()
    }

    @Test func opensFromAMarkerAndChecksItsTerm() throws {
        let fileSystem = try self.makeFileSystem()
        let wal = try WAL.create(directory: self.directory, metadata: testMetadata, fileSystem: fileSystem, options: self.small)
        self.saveBatches(wal, through: 40)
        wal.saveSnapshotMarker(SnapshotMarker(index: 20, term: 1, confState: ConfState(voters: [1, 2, 3])))
        self.saveBatches(wal, through: 50, from: 41)
        wal.close()
        let recovered = try WAL.open(directory: self.directory, from: SnapshotMarker(index: 20, term: 1), fileSystem: fileSystem, options: self.small)
        #expect(recovered.entries.count == 30 && entriesAreIntact(recovered.entries, startingAt: 21))
        recovered.wal.close()
        let mismatch = #expect(throws: WALError.self) {
            try WAL.open(directory: self.directory, from: SnapshotMarker(index: 20, term: 7), fileSystem: fileSystem, options: self.small)
        }
        #expect(mismatch?.code == .snapshotMismatch)
        let missing = #expect(throws: WALError.self) {
            try WAL.open(directory: self.directory, from: SnapshotMarker(index: 30, term: 1), fileSystem: fileSystem, options: self.small)
        }
        #expect(missing?.code == .snapshotNotFound)
        let markers = try WAL.snapshotMarkers(directory: self.directory, fileSystem: fileSystem)
        #expect(markers.map(\.index) == [0, 20])
        #expect(markers[1].confState.voters == [1, 2, 3])
    }
}
