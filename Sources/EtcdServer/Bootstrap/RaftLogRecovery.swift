import Logging
import Raft
import WAL

/// The Raft log a member starts from: the WAL and snapshot files it found or created, the in-memory log
/// rebuilt from them, and the identities recorded in the WAL.
struct RaftLogRecovery {
    let wal: WAL
    let snapshotter: Snapshotter
    let storage: MemoryStorage
    let memberID: UInt64
    let clusterID: UInt64
    /// The snapshot the log starts after (the founding snapshot of a new member, or the newest one).
    let snapshot: Snapshot?

    /// Whether a WAL exists, i.e. the member ran before.
    static func walExists(_ configuration: ServerConfiguration) -> Bool {
        WAL.exists(directory: configuration.resolvedWALDirectory)
    }

    /// Replays the WAL from the newest snapshot that it marks.
    static func open(_ configuration: ServerConfiguration, logger: Logger) throws -> RaftLogRecovery {
        let snapshotter = try Snapshotter(
            directory: configuration.snapshotDirectory,
            retainedCount: max(1, configuration.maxSnapshotFiles),
            unsafeNoFsync: configuration.unsafeNoFsync
        )
        let markers = try WAL.snapshotMarkers(directory: configuration.resolvedWALDirectory)
        let newest = try snapshotter.loadNewest { metadata in
            markers.contains { $0.index == metadata.index && $0.term == metadata.term }
        }
        for problem in newest.brokenFiles {
            logger.warning("ignored a damaged snapshot file", metadata: ["problem": "\(problem)"])
        }
        let marker = newest.snapshot.map { SnapshotMarker($0.metadata) } ?? .start
        let recovery = try WAL.open(
            directory: configuration.resolvedWALDirectory,
            from: marker,
            options: WALOptions(unsafeNoFsync: configuration.unsafeNoFsync)
        )
        if let repair = recovery.repair {
            logger.warning(
                "repaired a torn write at the end of the WAL",
                metadata: ["file": "\(repair.path)", "offset": "\(repair.offset)", "reason": "\(repair.reason)"]
            )
        }
        let storage = MemoryStorage()
        if let snapshot = newest.snapshot {
            try storage.applySnapshot(snapshot)
        }
        storage.setHardState(recovery.hardState)
        storage.append(recovery.entries)
        return RaftLogRecovery(
            wal: recovery.wal,
            snapshotter: snapshotter,
            storage: storage,
            memberID: recovery.metadata.memberID,
            clusterID: recovery.metadata.clusterID,
            snapshot: newest.snapshot
        )
    }

    /// Creates the WAL of a member that never ran. A founding member (`founders` given) starts from a
    /// snapshot at index 1 listing the founding voters; a joining member starts empty and gets the leader's
    /// snapshot.
    static func create(
        _ configuration: ServerConfiguration,
        memberID: UInt64,
        clusterID: UInt64,
        founders: [NodeID]?
    ) throws -> RaftLogRecovery {
        let snapshotter = try Snapshotter(
            directory: configuration.snapshotDirectory,
            retainedCount: max(1, configuration.maxSnapshotFiles),
            unsafeNoFsync: configuration.unsafeNoFsync
        )
        let wal = try WAL.create(
            directory: configuration.resolvedWALDirectory,
            metadata: WALMetadata(memberID: memberID, clusterID: clusterID),
            options: WALOptions(unsafeNoFsync: configuration.unsafeNoFsync)
        )
        let storage = MemoryStorage()
        var snapshot: Snapshot?
        if let founders {
            let founding = Snapshot(
                metadata: SnapshotMetadata(index: 1, term: 1, confState: ConfState(voters: founders.sorted()))
            )
            snapshotter.save(founding)
            wal.saveSnapshotMarker(SnapshotMarker(founding.metadata))
            let hardState = HardState(term: 1, vote: .none, commit: 1)
            wal.save(hardState: hardState, entries: [])
            try storage.applySnapshot(founding)
            storage.setHardState(hardState)
            snapshot = founding
        }
        return RaftLogRecovery(
            wal: wal,
            snapshotter: snapshotter,
            storage: storage,
            memberID: memberID,
            clusterID: clusterID,
            snapshot: snapshot
        )
    }
}
