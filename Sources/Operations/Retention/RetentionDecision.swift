/// What a retention policy decided: every backup it was given appears in exactly one of the two lists.
public struct RetentionDecision: Sendable, Hashable {
    /// The backups that survive, oldest first (equal times ordered by name).
    public var keep: [BackupRecord]
    /// The backups to remove, oldest first (equal times ordered by name).
    public var delete: [BackupRecord]

    /// A decision with the given lists, each already oldest first.
    public init(keep: [BackupRecord], delete: [BackupRecord]) {
        self.keep = keep
        self.delete = delete
    }

    /// The names of the backups that survive.
    public var keptNames: Set<String> { Set(keep.map(\.name)) }
}
