import Backend
import Foundation
import Lease
import Membership
import Raft
import WAL

extension MemberStateMachine {
    /// Where the database of the leader's snapshot at `index` waits until it is installed.
    static func receivedDatabasePath(snapshotDirectory: String, index: UInt64) -> String {
        "\(snapshotDirectory)/\(String(index, radix: 16)).snap.db"
    }

    /// Replaces the whole state with the leader's snapshot: its database becomes the backend, and the
    /// membership and leases come from it. Returns the changes that bring Raft's configuration, restored
    /// from the snapshot's, to the membership the database holds, which may be later than the snapshot.
    ///
    /// The received database is opened where it was received while the old stores go on serving reads,
    /// then moved over the backend's file (a crash before the move restarts from the received file, see
    /// ``StateStores/openCatchingUp(configuration:snapshotIndex:logger:)``), published, and the old stores
    /// closed once their last reader is done. Their watch streams end; clients resume them.
    func install(_ snapshot: Snapshot) -> [ConfChange] {
        let index = snapshot.metadata.index
        let received = Self.receivedDatabasePath(snapshotDirectory: self.configuration.snapshotDirectory, index: index)
        let inProgress = self.configuration.metrics.server.snapshotApplyInProgress
        inProgress.set(to: 1)
        defer { inProgress.set(to: 0) }
        let installed: StateStores
        let membership: ClusterMembership
        do {
            installed = try StateStores(path: received, configuration: self.configuration, logger: self.logger)
            guard let stored = try installed.membership.load(from: installed.backend) else {
                fatalError("the database of snapshot \(index) holds no membership")
            }
            membership = stored
            CrashPoint.snapshotInstallBeforeRename.reach()
            try installed.backend.moveDataFile(to: self.configuration.backendPath)
        } catch {
            fatalError("cannot install the database of snapshot \(index) from \(received): \(error)")
        }
        CrashPoint.snapshotInstallAfterRename.reach()
        self.stores = installed
        self.membership = membership
        let replaced = self.publish()
        replaced.retire()
        self.lessor.restore(installed.leases.list().map { ($0.id, $0.ttlSeconds, $0.remainingTTLSeconds) }, now: .now)
        self.lastSnapshotIndex = max(index, installed.store.consistentIndex.index)
        self.logger.info(
            "installed the leader's snapshot",
            metadata: [
                "snapshot-index": "\(index)",
                "consistent-index": "\(installed.store.consistentIndex.index)",
                "revision": "\(installed.store.currentRevision)",
            ]
        )
        self.proposals.applyingTerm(snapshot.metadata.term)
        if !membership.members.keys.contains(self.memberID) && membership.removed.contains(self.memberID) {
            self.events.removedFromCluster()
        }
        return ConfigurationCatchUp.changes(from: snapshot.metadata.confState, to: membership)
    }
}
