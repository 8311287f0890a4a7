import Backend
import Foundation
import GoFormat
import Logging

extension StateStores {
    /// Opens the member's stores at start. When the Raft log starts after a snapshot the backend does not
    /// hold yet (the member crashed while installing a leader's snapshot, after the snapshot was recorded
    /// in the WAL), the snapshot's received database replaces the backend first, as etcd does; without it
    /// the member cannot start. `snapshotIndex` is the snapshot the WAL replays from on a restart (0 for a
    /// member that never ran). Call on the apply thread.
    static func openCatchingUp(
        configuration: ServerConfiguration,
        snapshotIndex: UInt64,
        logger: Logger
    ) throws -> StateStores {
        let received = MemberStateMachine.receivedDatabasePath(snapshotDirectory: configuration.snapshotDirectory, index: snapshotIndex)
        try Self.removeLeftovers(in: configuration.snapshotDirectory, keeping: received, logger: logger)
        let stores = try StateStores(path: configuration.backendPath, configuration: configuration, logger: logger)
        if configuration.bootstrapDefragThresholdBytes > 0 {
            do {
                try Self.defragmentIfWorthIt(stores.backend, thresholdBytes: configuration.bootstrapDefragThresholdBytes, logger: logger)
            } catch {
                stores.retire()
                throw error
            }
        }
        let consistentIndex = stores.store.consistentIndex.index
        guard consistentIndex < snapshotIndex else {
            try Self.remove(received, logger: logger)
            return stores
        }
        stores.retire()
        guard FileManager.default.fileExists(atPath: received) else {
            throw BootstrapError(
                "failed to find database snapshot file (snap: snapshot file doesn't exist): the WAL starts at snapshot "
                    + "\(snapshotIndex) and the backend holds only index \(consistentIndex); expected \(received)"
            )
        }
        let installed = try StateStores(path: received, configuration: configuration, logger: logger)
        let installedIndex = installed.store.consistentIndex.index
        guard installedIndex >= snapshotIndex else {
            installed.retire()
            throw BootstrapError("the database of snapshot \(snapshotIndex) at \(received) holds only index \(installedIndex)")
        }
        try installed.backend.moveDataFile(to: configuration.backendPath)
        logger.info(
            "installed the received snapshot database left by an interrupted install",
            metadata: ["snapshot-index": "\(snapshotIndex)", "consistent-index": "\(installedIndex)"]
        )
        return installed
    }

    /// `--experimental-bootstrap-defrag-threshold-megabytes`: defragments the backend before anything reads
    /// it when that would give back at least `thresholdBytes` of the file, as etcd does at start.
    private static func defragmentIfWorthIt(_ backend: Backend, thresholdBytes: Int64, logger: Logger) throws {
        let size = backend.sizeBytes()
        let inUse = try backend.sizeInUseBytes()
        let sizes: Logger.Metadata = [
            "current-db-size-bytes": "\(size)",
            "current-db-size": "\(HumanBytes.string(size))",
            "current-db-size-in-use-bytes": "\(inUse)",
            "current-db-size-in-use": "\(HumanBytes.string(inUse))",
            "experimental-bootstrap-defrag-threshold-bytes": "\(thresholdBytes)",
            "experimental-bootstrap-defrag-threshold": "\(HumanBytes.string(thresholdBytes))",
        ]
        guard size - inUse >= thresholdBytes else {
            logger.info("Skipping defragmentation", metadata: sizes)
            return
        }
        let started = ContinuousClock.now
        try backend.defragment()
        logger.info(
            "finished defragmenting the backend at start",
            metadata: sizes.merging(["new-db-size-bytes": "\(backend.sizeBytes())", "took": "\((ContinuousClock.now - started).goString)"]) { $1 }
        )
    }

    /// Removes what a crash may leave in the snap directory: snapshot databases being sent to peers
    /// (`send-*.db`), received snapshot databases no longer needed (`*.snap.db`, but `keeping`), LMDB lock
    /// files of received databases, and an interrupted defragmentation's copy (`db.defrag`).
    private static func removeLeftovers(in directory: String, keeping: String, logger: Logger) throws {
        guard FileManager.default.fileExists(atPath: directory) else { return }
        for name in try FileManager.default.contentsOfDirectory(atPath: directory).sorted() {
            let path = "\(directory)/\(name)"
            let leftover = (name.hasPrefix("send-") && name.hasSuffix(".db")) || name.hasSuffix(".snap.db-lock")
                || name.hasSuffix(".snap.db.part") || name == "db.defrag" || (name.hasSuffix(".snap.db") && path != keeping)
            if leftover { try Self.remove(path, logger: logger) }
        }
    }

    private static func remove(_ path: String, logger: Logger) throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        try FileManager.default.removeItem(atPath: path)
        logger.info("removed a file left over in the snap directory", metadata: ["path": "\(path)"])
    }
}
