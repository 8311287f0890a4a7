import Foundation

/// One backup that etcd-ops made, as the retention policy sees it. Callers pass only backups the tool
/// made, never other files found beside them.
public struct BackupRecord: Sendable, Hashable {
    /// The backup's name, unique among the backups passed together.
    public var name: String
    /// When the backup was taken.
    public var time: Date
    /// Whether the backup passed verification, so it is known to restore.
    public var verified: Bool

    /// A record of the backup `name` taken at `time`.
    public init(name: String, time: Date, verified: Bool) {
        self.name = name
        self.time = time
        self.verified = verified
    }

    /// Orders backups oldest first; backups taken at the same time are ordered by name, so the one with the
    /// greater name counts as the newer.
    static func isOlder(_ left: BackupRecord, _ right: BackupRecord) -> Bool {
        (left.time, left.name) < (right.time, right.name)
    }
}
