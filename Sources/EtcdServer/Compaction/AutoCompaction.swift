/// etcd's `--auto-compaction-mode` with its `--auto-compaction-retention`.
public enum AutoCompaction: Sendable, Equatable {
    case disabled
    /// Keep this much history, compacting every tenth of it (at most hourly), as etcd's periodic mode.
    case periodic(Duration)
    /// Keep this many revisions, checked every five minutes, as etcd's revision mode.
    case revision(Int64)
}
