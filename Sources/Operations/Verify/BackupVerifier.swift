import BoltFile
import Foundation
import Restore

/// etcd-ops verify: a backup (ours, compressed or not, or any etcd snapshot file) decompressed, its
/// SHA-256 trailer checked, held against its manifest when it has one, and the bbolt file walked as
/// bbolt's own check does; the result is etcd's snapshot status (hash, revision, keys, size).
public enum BackupVerifier {
    /// What a verified backup holds.
    public struct Report: Sendable {
        public var path: String
        public var status: SnapshotStatus
        public var content: BackupCompression.Content
        public var manifest: BackupManifest?
    }

    /// Verifies `path`; a damaged or inconsistent file fails with ``OpsError/Kind/invalidBackup`` naming
    /// what is wrong.
    public static func verify(_ path: String, temporaryDirectory: String = NSTemporaryDirectory()) throws(OpsError) -> Report {
        let manifest = try Self.manifest(for: path)
        let expansion = try BackupExpansion.expand(path, temporaryDirectory: temporaryDirectory)
        defer { expansion.remove() }
        if let manifest {
            guard manifest.fileBytes == expansion.fileBytes, manifest.fileSHA256 == expansion.fileSHA256 else {
                throw OpsError(.invalidBackup, "\(path): the file does not match its manifest (size or SHA-256 differs)")
            }
            guard manifest.snapshotBytes == expansion.snapshotBytes, manifest.snapshotSHA256 == expansion.snapshotSHA256 else {
                throw OpsError(.invalidBackup, "\(path): the snapshot inside does not match its manifest")
            }
        }
        do {
            try SnapshotFile(path: expansion.snapshotPath).verifyTrailer(skipHashCheck: false)
        } catch {
            throw OpsError(.invalidBackup, "\(path): \(error.message)")
        }
        let status: SnapshotStatus
        do {
            status = try SnapshotStatus(path: expansion.snapshotPath)
        } catch {
            throw OpsError(.invalidBackup, "\(path): \(error)")
        }
        if let manifest, manifest.revision > status.revision {
            throw OpsError(.invalidBackup, "\(path): holds revision \(status.revision), older than the manifest's \(manifest.revision)")
        }
        return Report(path: path, status: status, content: expansion.content, manifest: manifest)
    }

    /// The manifest beside `path`, if there is one; a manifest that cannot be read is a damaged backup.
    static func manifest(for path: String) throws(OpsError) -> BackupManifest? {
        guard let data = FileManager.default.contents(atPath: path + ".json") else { return nil }
        do {
            return try BackupManifest.decode(data)
        } catch {
            throw OpsError(.invalidBackup, "\(path).json: not a readable manifest: \(error)")
        }
    }
}
