/// Why a ``Storage`` could not answer. ``RawNode`` handles each: it sends a snapshot instead of compacted entries,
/// and retries a snapshot that is temporarily unavailable on a later heartbeat.
public struct StorageError: Error, Hashable, CustomStringConvertible {
    private enum Reason: Hashable {
        case compacted
        case unavailable
        case snapshotTemporarilyUnavailable
        case snapshotOutOfDate
    }

    private let reason: Reason

    /// The index is at or below the snapshot: its entry was discarded by compaction.
    public static let compacted = StorageError(reason: .compacted)
    /// The index is beyond the last entry.
    public static let unavailable = StorageError(reason: .unavailable)
    /// A snapshot is being produced; ask again later.
    public static let snapshotTemporarilyUnavailable = StorageError(reason: .snapshotTemporarilyUnavailable)
    /// The snapshot given is not newer than the one held.
    public static let snapshotOutOfDate = StorageError(reason: .snapshotOutOfDate)

    /// etcd's raft wording.
    public var description: String {
        switch self.reason {
        case .compacted: "requested index is unavailable due to compaction"
        case .unavailable: "requested entry at index is unavailable"
        case .snapshotTemporarilyUnavailable: "snapshot is temporarily unavailable"
        case .snapshotOutOfDate: "requested index is older than the existing snapshot"
        }
    }
}
