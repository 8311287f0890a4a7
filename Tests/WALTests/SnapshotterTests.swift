import Raft
import Testing
import WAL

@Suite struct SnapshotterTests {
    private let directory = "/member/snap"

    private func makeSnapshotter(_ fileSystem: MemoryFileSystem, retained: Int = 5) throws -> Snapshotter {
        if !fileSystem.exists(atPath: "/member") { try fileSystem.createDirectory(atPath: "/member") }
        return try Snapshotter(directory: self.directory, fileSystem: fileSystem, retainedCount: retained)
    }

    private func snapshot(index: UInt64, term: UInt64 = 2) -> Snapshot {
        Snapshot(metadata: SnapshotMetadata(index: index, term: term, confState: ConfState(voters: [1, 2], learners: [3])),
                 data: Array("payload \(index)".utf8))
    }

    @Test func savesDurablyAndLoadsTheNewest() throws {
        let fileSystem = MemoryFileSystem()
        let snapshotter = try self.makeSnapshotter(fileSystem)
        #expect(try snapshotter.loadNewest().snapshot == nil)
        snapshotter.save(self.snapshot(index: 10))
        snapshotter.save(self.snapshot(index: 20))
        #expect(try snapshotter.snapshotFileNames() == ["0000000000000002-000000000000000a.snap", "0000000000000002-0000000000000014.snap"])
        fileSystem.cutPower(.dropUnsynced)
        let reloaded = try self.makeSnapshotter(fileSystem)
        let load = try reloaded.loadNewest()
        #expect(load.snapshot == self.snapshot(index: 20))
        #expect(load.brokenFiles.isEmpty)
        #expect(try reloaded.loadNewest { $0.index < 20 }.snapshot == self.snapshot(index: 10))
    }

    @Test func aCorruptNewestFileIsReportedAndTheNextOlderUsed() throws {
        let fileSystem = MemoryFileSystem()
        let snapshotter = try self.makeSnapshotter(fileSystem)
        snapshotter.save(self.snapshot(index: 10))
        snapshotter.save(self.snapshot(index: 20))
        let newest = self.directory + "/0000000000000002-0000000000000014.snap"
        var bytes = fileSystem.contents(atPath: newest)!
        for position in 0..<bytes.count {
            bytes[position] ^= 0x10
            fileSystem.replaceContents(atPath: newest, with: bytes)
            let load = try snapshotter.loadNewest()
            #expect(load.snapshot == self.snapshot(index: 10), "flip at \(position)")
            #expect(load.brokenFiles.map(\.path) == [newest])
            #expect(fileSystem.exists(atPath: newest + ".broken") && !fileSystem.exists(atPath: newest))
            try fileSystem.rename(atPath: newest + ".broken", toPath: newest)
            bytes[position] ^= 0x10
        }
        fileSystem.replaceContents(atPath: newest, with: Array(bytes.prefix(bytes.count - 3)))
        #expect(try snapshotter.loadNewest().brokenFiles.count == 1, "a truncated file is broken too")
    }

    @Test func purgeKeepsTheNewestFiles() throws {
        let fileSystem = MemoryFileSystem()
        let snapshotter = try self.makeSnapshotter(fileSystem, retained: 3)
        for index in UInt64(1)...8 { snapshotter.save(self.snapshot(index: index * 100)) }
        let leftover = try fileSystem.openFile(atPath: self.directory + "/0000000000000002-0000000000000384.snap.tmp", mode: .createNew)
        try leftover.close()
        try snapshotter.purge()
        #expect(try fileSystem.listDirectory(atPath: self.directory).sorted() == [
            "0000000000000002-0000000000000258.snap", "0000000000000002-00000000000002bc.snap", "0000000000000002-0000000000000320.snap",
        ])
        #expect(try snapshotter.loadNewest().snapshot?.metadata.index == 800)
    }

    @Test func aSaveCutShortLeavesThePreviousSnapshot() throws {
        for seed in UInt64(0)..<50 {
            let fileSystem = MemoryFileSystem()
            let snapshotter = try self.makeSnapshotter(fileSystem)
            snapshotter.save(self.snapshot(index: 10))
            fileSystem.captureCrashImage(beforeOperation: fileSystem.operationCount + 1 + Int(seed % 5), mode: .tear(seed: seed))
            snapshotter.save(Snapshot(metadata: SnapshotMetadata(index: 20, term: 2), data: [UInt8](repeating: 7, count: 5000)))
            #expect(fileSystem.restoreCrashImage())
            let load = try self.makeSnapshotter(fileSystem).loadNewest()
            #expect(load.brokenFiles.isEmpty, "seed \(seed): the rename exposes only a complete file")
            #expect([10, 20].contains(load.snapshot?.metadata.index), "seed \(seed)")
        }
    }
}
