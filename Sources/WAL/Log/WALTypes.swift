import Raft

/// Whose log this is, recorded at the head of every segment and checked for consistency on open.
public struct WALMetadata: Sendable, Hashable {
    /// This member's id.
    public var memberID: UInt64
    /// The cluster's id.
    public var clusterID: UInt64

    /// Creates metadata.
    public init(memberID: UInt64, clusterID: UInt64) {
        self.memberID = memberID
        self.clusterID = clusterID
    }
}

/// A WAL record saying that a snapshot at ``index`` exists, so replay may start there. Written after the
/// snapshot file is durable (see ``Snapshotter/save(_:)``).
public struct SnapshotMarker: Sendable, Hashable {
    /// The last index the snapshot covers.
    public var index: UInt64
    /// The term of that entry.
    public var term: UInt64
    /// The configuration at that index.
    public var confState: ConfState

    /// Creates a marker.
    public init(index: UInt64, term: UInt64, confState: ConfState = ConfState()) {
        self.index = index
        self.term = term
        self.confState = confState
    }

    /// The marker for a snapshot's metadata.
    public init(_ metadata: SnapshotMetadata) {
        self.init(index: metadata.index, term: metadata.term, confState: metadata.confState)
    }

    /// The marker every new WAL starts with: replay from the very beginning.
    public static let start = SnapshotMarker(index: 0, term: 0)
}

/// Tunables of a WAL.
public struct WALOptions: Sendable, Hashable {
    /// Size each segment is preallocated to; a segment is cut (a new one started) once a save leaves it
    /// this large or larger, so one segment may exceed it by one batch.
    public var segmentSizeBytes: Int64
    /// Skip every file and directory fsync. Loses acknowledged writes on power loss; for tests and for
    /// etcd's `--unsafe-no-fsync` only.
    public var unsafeNoFsync: Bool
    /// How far ahead of the appends the tail segment is overwritten with zeros (0: never). A preallocated
    /// segment's blocks are allocated but marked unwritten; the first write to such a block changes the
    /// file's extent map, and the fdatasync after it must then write that metadata too (on ext4 a second,
    /// waited write per sync). Zeros written ahead in large pieces make that change once per piece, so
    /// the syncs of the appends in between flush data only.
    public var zeroFillAheadBytes: Int64

    /// etcd's segment size (64 MB).
    public static let defaultSegmentSizeBytes: Int64 = 64 * 1000 * 1000
    /// 1 MiB: one extent change per 1 MiB of log instead of one per 4 KiB block.
    public static let defaultZeroFillAheadBytes: Int64 = 1 << 20

    /// Creates options.
    public init(
        segmentSizeBytes: Int64 = WALOptions.defaultSegmentSizeBytes,
        unsafeNoFsync: Bool = false,
        zeroFillAheadBytes: Int64 = WALOptions.defaultZeroFillAheadBytes
    ) {
        precondition(segmentSizeBytes >= 4096, "WAL segments must be at least 4 KiB")
        precondition(zeroFillAheadBytes >= 0, "the zero fill ahead cannot be negative")
        self.segmentSizeBytes = segmentSizeBytes
        self.unsafeNoFsync = unsafeNoFsync
        self.zeroFillAheadBytes = zeroFillAheadBytes
    }
}

/// What the WAL repaired on open: the final record of the last segment was torn (a write cut short by a
/// crash or power loss) and everything from ``offset`` on was discarded.
public struct TailRepair: Sendable, Hashable {
    /// The segment that was truncated.
    public let path: String
    /// The offset it was truncated to: the end of the last valid record.
    public let offset: Int64
    /// What was found at ``offset``.
    public let reason: String
}
