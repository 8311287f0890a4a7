/// What a record's payload holds. The raw values are on disk: never renumber.
enum RecordType: UInt8, Sendable {
    /// `Memberpb_WALMetadata`: whose log this is. Second record of every segment.
    case metadata = 1
    /// `Memberpb_Entry`: one Raft log entry.
    case entry = 2
    /// `Memberpb_HardState`: term, vote and commit as of this point.
    case hardState = 3
    /// Four bytes, little-endian: the CRC chain value before this segment. First record of every segment,
    /// so a segment can be verified on its own after its predecessors are released.
    case crcSeed = 4
    /// `Memberpb_WALSnapshot`: a snapshot at this index exists, so replay may start here.
    case snapshotMarker = 5
    /// `Memberpb_SnapshotFile`: the single record of a file in `snap/`.
    case snapshotFile = 6
}
