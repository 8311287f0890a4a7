import WAL

/// The member's own crash points (see `CrashPoint`): the steps of installing a leader's snapshot and of
/// compacting the Raft log, where a crash must lose nothing. Armed only in the crash tests' binary.
extension CrashPoint {
    /// The leader's snapshot and its WAL marker are durable; the apply loop has not installed its database.
    static let snapshotInstallBeforeApply = CrashPoint("snapshotInstallBeforeApply")
    /// The received database is opened as the new stores; it has not replaced the backend's file yet.
    static let snapshotInstallBeforeRename = CrashPoint("snapshotInstallBeforeRename")
    /// The received database has replaced the backend's file; the new stores are not published yet.
    static let snapshotInstallAfterRename = CrashPoint("snapshotInstallAfterRename")
    /// The Raft log was snapshotted where the backend said it was durable; nothing later has run.
    static let logSnapshotSaved = CrashPoint("logSnapshotSaved")
}
