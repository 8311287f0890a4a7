import Foundation
import Membership
import Raft

extension MemberStateMachine {
    /// Where the database of the leader's snapshot at `index` waits until it is installed.
    static func receivedDatabasePath(snapshotDirectory: String, index: UInt64) -> String {
        "\(snapshotDirectory)/\(String(index, radix: 16)).snap.db"
    }

    /// Replaces the whole state with the leader's snapshot: its database becomes the backend, and the
    /// membership and leases come from it. Watch streams on the old store end; clients resume them.
    func install(_ snapshot: Snapshot) {
        let index = snapshot.metadata.index
        let received = Self.receivedDatabasePath(snapshotDirectory: self.configuration.snapshotDirectory, index: index)
        guard FileManager.default.fileExists(atPath: received) else {
            fatalError("the database of snapshot \(index) is missing at \(received)")
        }
        let inProgress = self.configuration.metrics.server.snapshotApplyInProgress
        inProgress.set(to: 1)
        defer { inProgress.set(to: 0) }
        self.stores.close()
        let path = self.configuration.backendPath
        do {
            try? FileManager.default.removeItem(atPath: path + "-lock")
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: received, toPath: path)
            self.stores = try StateStores(path: path, configuration: self.configuration)
            guard let membership = try self.stores.membership.load(from: self.stores.backend) else {
                fatalError("the database of snapshot \(index) holds no membership")
            }
            self.membership = membership
        } catch {
            fatalError("cannot install the database of snapshot \(index): \(error)")
        }
        self.lessor.restore(self.stores.leases.list().map { ($0.id, $0.ttlSeconds, $0.effectiveTTLSeconds) })
        self.lastSnapshotIndex = index
        self.events.storesReplaced(self.stores)
        self.publishMembership()
        self.logger.info(
            "installed the leader's snapshot",
            metadata: [
                "snapshot-index": "\(index)",
                "consistent-index": "\(self.stores.store.consistentIndex.index)",
                "revision": "\(self.stores.store.currentRevision)",
            ]
        )
    }
}
