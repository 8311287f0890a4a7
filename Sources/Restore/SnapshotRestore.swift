import Backend
import BoltFile
import Foundation
import Lease
import Logging
import Membership

/// etcdutl's `snapshot restore` for our member: from a snapshot file (bbolt, from our member or Go etcd
/// 3.4/3.5, or our LMDB data file) it builds the data directory of one member of a new cluster: the
/// backend with the snapshot's keys, leases, alarms and auth data, the membership of `--initial-cluster`
/// (ids computed as etcd computes them) and the Raft log our member founds a cluster with.
///
/// Nothing is made in the target until everything is: the data directory is built under a hidden
/// temporary name beside the target and renamed into place at the end (likewise a separate WAL
/// directory), so a failure leaves the target as it was. A target that exists and is not empty is
/// refused, as etcdutl refuses it.
public enum SnapshotRestore {
    /// What a restore made.
    public struct Outcome: Sendable {
        public var memberID: UInt64
        public var clusterID: UInt64
        /// The newest revision of the restored history (after any bump).
        public var revision: Int64
    }

    /// Restores as `configuration` says; throws a ``RestoreError`` (or a storage error) and leaves nothing behind.
    public static func run(_ configuration: RestoreConfiguration, logger: Logger) throws -> Outcome {
        guard (configuration.bumpRevision == 0) == !configuration.markCompacted else {
            throw RestoreError("--mark-compacted required if --revision-bump > 0")
        }
        let membership = try self.membership(configuration)
        let dataDirectory = configuration.resolvedDataDirectory
        let walDirectory = configuration.resolvedWALDirectory
        let separateWAL = !configuration.walDirectory.isEmpty
        if FileManager.default.fileExists(atPath: dataDirectory), !Self.isEmptyDirectory(dataDirectory) {
            throw RestoreError("data-dir \"\(dataDirectory)\" not empty or could not be read")
        }
        if separateWAL, FileManager.default.fileExists(atPath: walDirectory) {
            throw RestoreError("wal-dir \"\(walDirectory)\" exists")
        }
        let file = try SnapshotFile(path: configuration.snapshotPath)
        let snapDirectory = dataDirectory + "/member/snap"
        logger.info(
            "restoring snapshot",
            metadata: ["path": "\(file.path)", "wal-dir": "\(walDirectory)", "data-dir": "\(dataDirectory)", "snap-dir": "\(snapDirectory)"]
        )
        try file.verifyTrailer(skipHashCheck: configuration.skipHashCheck)
        let staging = try StagingDirectory(beside: dataDirectory)
        let stagingWAL = separateWAL ? try StagingDirectory(beside: walDirectory) : nil
        do {
            let revision = try self.buildBackend(
                from: file, at: staging.path + "/member/snap/db", membership: membership, configuration: configuration, logger: logger
            )
            let local = membership.members.values.first { $0.name == configuration.name }!
            try RestoredLog.write(
                snapshotDirectory: staging.path + "/member/snap",
                walDirectory: stagingWAL.map { $0.path } ?? staging.path + "/member/wal",
                memberID: local.id,
                clusterID: membership.clusterID,
                voters: membership.voterIDs
            )
            if let stagingWAL { try stagingWAL.publish(as: walDirectory) }
            do {
                try staging.publish(as: dataDirectory)
            } catch {
                if separateWAL { try? FileManager.default.removeItem(atPath: walDirectory) }
                throw error
            }
            logger.info(
                "restored snapshot",
                metadata: ["path": "\(file.path)", "wal-dir": "\(walDirectory)", "data-dir": "\(dataDirectory)", "snap-dir": "\(snapDirectory)"]
            )
            return Outcome(memberID: local.id, clusterID: membership.clusterID, revision: revision)
        } catch {
            staging.discard()
            stagingWAL?.discard()
            throw error
        }
    }

    /// The new cluster's membership from `--initial-cluster`, after etcd's bootstrap checks.
    static func membership(_ configuration: RestoreConfiguration) throws -> ClusterMembership {
        let initialCluster = InitialCluster(parsing: configuration.initialCluster)
        var advertised: [String] = []
        for url in configuration.initialAdvertisePeerURLs.split(separator: ",", omittingEmptySubsequences: false) {
            advertised.append(try EtcdURL(parsing: String(url)).description)
        }
        try initialCluster.verify(name: configuration.name, advertised: advertised)
        return try ClusterMembership.bootstrap(initialCluster: initialCluster, token: configuration.initialClusterToken)
    }

    /// Builds the backend at `path` and returns its newest revision.
    private static func buildBackend(
        from file: SnapshotFile,
        at path: String,
        membership: ClusterMembership,
        configuration: RestoreConfiguration,
        logger: Logger
    ) throws -> Int64 {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        if file.format == .lmdb {
            try FileCopy.copy(file.path, to: path, bytes: file.contentBytes)
        }
        var backendConfiguration = BackendConfiguration(path: path, quotaBytes: -1)
        backendConfiguration.databaseNames = BackendConfiguration.etcdDatabaseNames
        let backend = try Backend(configuration: backendConfiguration)
        defer { backend.close() }
        if file.format == .bbolt {
            let reader: BoltReader
            do {
                reader = try BoltReader(path: file.path)
            } catch {
                throw RestoreError(BoltMessages.text(error))
            }
            do {
                try SnapshotImport.run(reader, into: backend, logger: logger)
            } catch let error as BoltError {
                throw RestoreError(BoltMessages.text(error))
            }
        }
        let revision = try RestoredBackend.prepare(backend, membership: membership, configuration: configuration, logger: logger)
        _ = try LeaseIndex(backend: backend)
        return revision
    }

    private static func isEmptyDirectory(_ path: String) -> Bool {
        (try? FileManager.default.contentsOfDirectory(atPath: path).isEmpty) ?? false
    }
}
