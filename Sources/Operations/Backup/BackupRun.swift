import EtcdProto
import EtcdClient
import Foundation
import Glibc

/// One backup: under the directory's lock, the snapshot of the best member (``BackupSource``) streamed
/// into a new file (``BackupStream``), its manifest beside it, then the retention policy applied to the
/// backups this tool made there. A failure leaves no `.part` file and older backups as they were.
public enum BackupRun {
    /// What a successful run made and removed.
    public struct Outcome: Sendable {
        public var path: String
        public var manifest: BackupManifest
        /// The older backups retention removed (file names).
        public var removed: [String]
        public var duration: Duration
    }

    public static func run(_ options: BackupOptions, settings: ClientSettings, now: Date = Date()) async throws(OpsError) -> Outcome {
        let started = ContinuousClock.now
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: options.directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw OpsError(.output, "backup directory \(options.directory) does not exist")
        }
        let lock = try BackupLock(directory: options.directory)
        defer { withExtendedLifetime(lock) {} }
        try Self.removeUnfinished(in: options.directory)
        let probes = await MemberProbe.probeAll(settings.endpoints, settings: settings)
        let source = try BackupSource.choose(from: probes)
        let name = BackupName(time: now, revision: source.status.header.revision, compression: options.compression)
        let path = (options.directory as NSString).appendingPathComponent(name.file)
        let client = try settings.client(endpoints: [source.endpoint], timed: false)
        defer { Task { await client.close() } }
        let written: BackupStream.Written
        do {
            written = try await BackupStream.write(from: client, to: path, compression: options.compression, level: options.level)
        } catch let error as OpsError {
            throw error
        } catch let error as EtcdError {
            throw OpsError(.failed, "snapshot from \(source.endpoint) failed: \(error.message)")
        } catch {
            throw OpsError(.failed, "snapshot from \(source.endpoint) failed: \(error)")
        }
        let manifest = BackupManifest(
            file: name.file,
            clusterID: String(source.status.header.clusterID, radix: 16),
            memberID: String(source.status.header.memberID, radix: 16),
            endpoint: source.endpoint,
            revision: source.status.header.revision,
            raftIndex: source.status.raftIndex,
            raftTerm: source.status.raftTerm,
            time: ISO8601DateFormatter().string(from: name.time),
            compression: options.compression.rawValue,
            compressionLevel: options.compression == .zlib ? Int(options.level) : nil,
            snapshotBytes: written.snapshotBytes,
            fileBytes: written.fileBytes,
            snapshotSHA256: written.snapshotSHA256,
            fileSHA256: written.fileSHA256,
            etcdVersion: source.status.version,
            toolVersion: EtcdVersion.server
        )
        let manifestData: Data
        do {
            manifestData = try manifest.encoded()
        } catch {
            throw OpsError(.failed, "cannot encode the manifest: \(error)")
        }
        try FileOutput.writeAtomically(manifestData, to: path + ".json")
        let removed = try BackupRetention.apply(options.retention, in: options.directory, now: now)
        return Outcome(path: path, manifest: manifest, removed: removed, duration: ContinuousClock.now - started)
    }

    /// Removes the `.part` files of runs that were killed midway: with the lock held, no run is writing them.
    private static func removeUnfinished(in directory: String) throws(OpsError) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw OpsError(.output, "cannot list \(directory): \(error.localizedDescription)")
        }
        for name in names where name.hasSuffix(".part") && BackupName(file: String(name.dropLast(".part".count))) != nil {
            let path = (directory as NSString).appendingPathComponent(name)
            guard unlink(path) == 0 else { throw FileOutput.failure("remove", path) }
        }
    }
}
