import Foundation
import Raft
import Testing
import WAL

/// A member's storage (WAL and snapshot files) on the power-cut model, driven the way the server drives
/// it: batches of entries with the hard state, now and then a snapshot file, its WAL marker, a release
/// and a purge.
private final class StorageUnderTest {
    let fileSystem: MemoryFileSystem
    let options: WALOptions
    let walDirectory = "/data/member/wal"
    let snapDirectory = "/data/member/snap"
    var wal: WAL
    var snapshotter: Snapshotter
    var random: TestRandom
    /// How many restarts found a torn tail to repair.
    var repairs = 0

    init(seed: UInt64, faults: MemoryFileSystem.Faults, unsafeNoFsync: Bool) throws {
        self.fileSystem = MemoryFileSystem(faults: faults)
        self.options = WALOptions(segmentSizeBytes: 16 * 1024, unsafeNoFsync: unsafeNoFsync)
        self.random = TestRandom(seed: seed)
        try self.fileSystem.createDirectory(atPath: "/data")
        try self.fileSystem.createDirectory(atPath: "/data/member")
        self.wal = try WAL.create(directory: self.walDirectory, metadata: testMetadata, fileSystem: self.fileSystem, options: self.options)
        self.snapshotter = try Snapshotter(directory: self.snapDirectory, fileSystem: self.fileSystem, unsafeNoFsync: unsafeNoFsync)
    }

    /// One step of work; returns the last index it made durable, if it saved entries.
    func step() throws -> UInt64? {
        if self.random.below(12) == 0 && self.wal.lastIndex > 0 {
            let index = self.wal.lastIndex
            let metadata = SnapshotMetadata(index: index, term: 1, confState: ConfState(voters: [1]))
            self.snapshotter.save(Snapshot(metadata: metadata, data: Array("state at \(index)".utf8)))
            self.wal.saveSnapshotMarker(SnapshotMarker(metadata))
            try self.wal.release(upTo: index)
            try self.snapshotter.purge()
            return nil
        }
        let first = self.wal.lastIndex + 1
        let last = first + UInt64(self.random.below(20))
        self.wal.save(hardState: HardState(term: 1, vote: 1, commit: last), entries: makeEntries(first...last))
        return last
    }

    /// Reopens after a reboot, as a member starts: the newest snapshot file that has a WAL marker, then
    /// the WAL from that marker. Returns the recovered snapshot index and the entries after it.
    func restart() throws -> (snapshotIndex: UInt64, recovery: WALRecovery) {
        self.snapshotter = try Snapshotter(directory: self.snapDirectory, fileSystem: self.fileSystem)
        let markers = try WAL.snapshotMarkers(directory: self.walDirectory, fileSystem: self.fileSystem)
        let load = try self.snapshotter.loadNewest { metadata in
            markers.contains { $0.index == metadata.index && $0.term == metadata.term }
        }
        #expect(load.brokenFiles.isEmpty, "snapshot files are written atomically: \(load.brokenFiles)")
        if let snapshot = load.snapshot {
            #expect(snapshot.data == Array("state at \(snapshot.metadata.index)".utf8))
        }
        let marker = load.snapshot.map { SnapshotMarker($0.metadata) } ?? .start
        let recovery = try WAL.open(directory: self.walDirectory, from: marker, fileSystem: self.fileSystem, options: self.options)
        self.wal = recovery.wal
        return (marker.index, recovery)
    }

    /// Runs work past a power cut scheduled at a random operation, reboots into the state the cut left,
    /// and returns whether every save acknowledged before the cut survived.
    func runCycle(cycle: Int) throws -> Bool {
        let cutAt = self.fileSystem.operationCount + 1 + self.random.below(400)
        let modes: [MemoryFileSystem.PowerCut] = [.dropUnsynced, .tear(seed: self.random.next()), .shuffleSectors(seed: self.random.next())]
        let mode = modes[cycle % modes.count]
        self.fileSystem.captureCrashImage(beforeOperation: cutAt, mode: mode)
        var acknowledged: UInt64 = 0
        while self.fileSystem.operationCount < cutAt + 20 {
            if let last = try self.step(), self.fileSystem.operationCount < cutAt { acknowledged = last }
        }
        #expect(self.fileSystem.restoreCrashImage())
        let (snapshotIndex, recovery) = try self.restart()
        if recovery.repair != nil { self.repairs += 1 }
        let last = snapshotIndex + UInt64(recovery.entries.count)
        let intact = entriesAreIntact(recovery.entries, startingAt: snapshotIndex + 1)
        #expect(intact, "cycle \(cycle): recovered entries are a clean prefix")
        #expect(recovery.hardState.commit <= last)
        return intact && last >= acknowledged && recovery.hardState.commit >= acknowledged
    }
}

@Suite struct PowerLossTests {
    private static let cycles = Int(ProcessInfo.processInfo.environment["WAL_POWER_CYCLES"] ?? "") ?? 60

    @Test func everyAcknowledgedSaveSurvivesAPowerCut() throws {
        var repairs = 0
        for seed in UInt64(1)...3 {
            let storage = try StorageUnderTest(seed: seed, faults: .init(), unsafeNoFsync: false)
            for cycle in 0..<(Self.cycles / 3) {
                #expect(try storage.runCycle(cycle: cycle), "seed \(seed) cycle \(cycle) lost an acknowledged save")
            }
            repairs += storage.repairs
            storage.wal.close()
        }
        #expect(repairs > 0, "some power cuts tore a record")
    }

    /// The same harness must notice a storage stack that lies about durability, or it proves nothing.
    @Test(arguments: [
        ("file fsync ignored", MemoryFileSystem.Faults(ignoresFileSync: true), false),
        ("directory fsync ignored", MemoryFileSystem.Faults(ignoresDirectorySync: true), false),
        ("WAL unsafeNoFsync", MemoryFileSystem.Faults(), true),
    ])
    func canaryWithoutFsyncIsCaughtLosingData(name: String, faults: MemoryFileSystem.Faults, unsafeNoFsync: Bool) throws {
        var caught = false
        for seed in UInt64(1)...20 where !caught {
            let storage = try StorageUnderTest(seed: seed, faults: faults, unsafeNoFsync: unsafeNoFsync)
            for cycle in 0..<10 where !caught {
                do {
                    caught = try !storage.runCycle(cycle: cycle)
                } catch {
                    caught = true
                }
            }
        }
        #expect(caught, "\(name): losses went unnoticed")
    }
}
