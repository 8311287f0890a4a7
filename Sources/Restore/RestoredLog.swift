import Raft
import WAL

/// The Raft log of a restored member, as our member founds a new cluster: a snapshot at index 1, term 1
/// listing the voters, recorded in a new WAL whose hard state commits it. Every member restored for the
/// same cluster gets the same log, so they start as one cluster from the restored data.
enum RestoredLog {
    /// The index and term the restored backend's consistent index is set to.
    static let index: UInt64 = 1
    static let term: UInt64 = 1

    /// Writes the snapshot file into `snapshotDirectory` and a new WAL into `walDirectory`, both durable.
    static func write(snapshotDirectory: String, walDirectory: String, memberID: UInt64, clusterID: UInt64, voters: [UInt64]) throws {
        let founding = Snapshot(metadata: SnapshotMetadata(index: self.index, term: self.term, confState: ConfState(voters: voters.sorted())))
        let snapshotter = try Snapshotter(directory: snapshotDirectory)
        snapshotter.save(founding)
        let wal = try WAL.create(directory: walDirectory, metadata: WALMetadata(memberID: memberID, clusterID: clusterID))
        wal.saveSnapshotMarker(SnapshotMarker(founding.metadata))
        wal.save(hardState: HardState(term: self.term, vote: .none, commit: self.index), entries: [])
        wal.close()
    }
}
