import Logging
import Raft
import WAL

/// The durable side of the Raft log: entries and hard state in the WAL, snapshot metadata in snap files.
/// Owned by the Raft loop's thread. A failed write or fsync stops the process (the WAL's rule): the
/// kernel may have dropped the pages, so retrying could acknowledge what is not on disk.
protocol RaftLogStore: AnyObject {
    /// Appends entries and the hard state; durable on return when `mustSync`.
    func save(hardState: HardState?, entries: [Entry], mustSync: Bool)
    /// Records a snapshot: its file first, then the WAL marker that lets replay start there.
    func saveSnapshot(_ snapshot: Snapshot)
    /// Drops WAL segments and snapshot files no longer needed once a snapshot at `index` is durable.
    func release(upTo index: UInt64)
}

/// The production store: the WAL and the snapshotter of the member's data directory. With `keepsAllSegments`
/// (`--max-wals 0`, etcd's "unlimited") no WAL segment is ever deleted; otherwise a segment goes as soon as a
/// durable snapshot makes it redundant, so the WAL never holds more segments than etcd's purge would leave.
final class DurableRaftLog: RaftLogStore {
    private let wal: WAL
    private let snapshotter: Snapshotter
    private let keepsAllSegments: Bool
    private let logger: Logger

    init(wal: WAL, snapshotter: Snapshotter, keepsAllSegments: Bool, logger: Logger) {
        self.wal = wal
        self.snapshotter = snapshotter
        self.keepsAllSegments = keepsAllSegments
        self.logger = logger
    }

    func save(hardState: HardState?, entries: [Entry], mustSync: Bool) {
        guard hardState != nil || !entries.isEmpty else { return }
        self.wal.save(hardState: hardState ?? self.wal.hardState, entries: entries)
    }

    func saveSnapshot(_ snapshot: Snapshot) {
        self.snapshotter.save(snapshot)
        self.wal.saveSnapshotMarker(SnapshotMarker(snapshot.metadata))
    }

    func release(upTo index: UInt64) {
        do {
            if !self.keepsAllSegments { try self.wal.release(upTo: index) }
            try self.snapshotter.purge()
        } catch {
            // Old segments and snapshot files stay on disk; the next snapshot retries. Nothing is lost.
            self.logger.warning("cannot release old WAL segments or snapshot files", metadata: ["error": "\(error)"])
        }
    }
}
