/// What a backup run does: where it writes, how it compresses, which older backups it keeps.
public struct BackupOptions: Sendable {
    public var directory: String
    public var compression: BackupCompression = .zlib
    /// zlib's level, 1 (fastest) to 9 (smallest).
    public var level: Int32 = 6
    public var retention = RetentionPolicy()

    public init(directory: String) {
        self.directory = directory
    }
}
