/// Where a snapshot stands in the log and which configuration was in force there.
public struct SnapshotMetadata: Sendable, Hashable {
    public var index: UInt64
    public var term: UInt64
    public var confState: ConfState

    /// Creates snapshot metadata.
    public init(index: UInt64 = 0, term: UInt64 = 0, confState: ConfState = ConfState()) {
        self.index = index
        self.term = term
        self.confState = confState
    }
}

/// The state machine as of ``SnapshotMetadata/index``, standing in for every entry up to it. `data` is
/// opaque to Raft; a member may keep it small and move the bulk of its state out of band.
public struct Snapshot: Sendable, Hashable {
    public var metadata: SnapshotMetadata
    public var data: [UInt8]

    /// Creates a snapshot.
    public init(metadata: SnapshotMetadata = SnapshotMetadata(), data: [UInt8] = []) {
        self.metadata = metadata
        self.data = data
    }

    /// Whether this is the absent snapshot (index 0).
    public var isEmpty: Bool { self.metadata.index == 0 }
}
