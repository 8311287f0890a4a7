import Foundation
import Logging
import Restore

/// etcd-ops restore: a backup (zlib, gzip or raw; ours or Go etcd's snapshot) made into the data directory
/// of one member of a new cluster, with etcdutl's restore (the Restore module). A compressed backup is
/// expanded into a temporary file beside the target first, removed afterwards.
public enum BackupRestore {
    /// Restores `configuration.snapshotPath` as `configuration` says; returns what the restore made.
    public static func run(_ configuration: RestoreConfiguration, logger: Logger) throws(OpsError) -> SnapshotRestore.Outcome {
        let source = configuration.snapshotPath
        let header = Self.header(of: source)
        var expanded: BackupExpansion?
        var restore = configuration
        if BackupCompression.content(startingWith: header) != .raw {
            let target = configuration.resolvedDataDirectory
            let parent = (target as NSString).deletingLastPathComponent
            expanded = try BackupExpansion.expand(source, temporaryDirectory: parent.isEmpty ? "." : parent)
            restore.snapshotPath = expanded!.snapshotPath
        }
        defer { expanded?.remove() }
        do {
            return try SnapshotRestore.run(restore, logger: logger)
        } catch let error as RestoreError {
            throw OpsError(Self.kind(of: error), error.message.replacingOccurrences(of: restore.snapshotPath, with: source))
        } catch {
            throw OpsError(.failed, "\(error)")
        }
    }

    private static func header(of path: String) -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        return [UInt8](handle.readData(ofLength: 2))
    }

    /// A target in the way is the output's fault; anything else about the snapshot is the backup's.
    private static func kind(of error: RestoreError) -> OpsError.Kind {
        error.message.contains("data-dir") || error.message.contains("wal-dir") || error.message.contains("exists") ? .output : .invalidBackup
    }
}
