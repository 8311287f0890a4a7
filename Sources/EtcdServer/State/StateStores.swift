import Backend
import Foundation
import Lease
import Logging
import MVCC
import Synchronization
import Telemetry

/// Everything the member keeps in its backend, opened together: the backend, the lease records, the MVCC
/// store with its watchers, the request applier, the membership records and the alarms. Replaced as a
/// whole when a follower installs the leader's snapshot.
///
/// Threading: opened, written and closed on the apply thread; readable from any thread. A reader on
/// another thread borrows the stores for the length of its read (``MemberStateMachine/reading(_:)``), so
/// that the stores a snapshot replaced are closed only once their last reader is done.
final class StateStores: Sendable {
    let backend: Backend
    let leases: LeaseIndex
    let store: KVStore
    let kv: KVApplier
    let membership: MembershipStore
    let alarms: AlarmStore
    private let borrowers = Atomic<Int>(0)

    /// Opens (creating when missing) the backend at `path`. Call on the apply thread.
    init(path: String, configuration: ServerConfiguration, logger: Logger) throws {
        var backendConfiguration = BackendConfiguration(path: path, quotaBytes: configuration.quotaBackendBytes)
        backendConfiguration.batchInterval = configuration.backendBatchInterval
        backendConfiguration.batchLimitOperations = configuration.backendBatchLimit
        let backend = try Backend(configuration: backendConfiguration)
        let commitSeconds = configuration.metrics.disk.backendCommitSeconds
        backend.writer.commitObserver = { commitSeconds.record($0.inSeconds) }
        var storeConfiguration = StoreConfiguration()
        storeConfiguration.statistics = configuration.kvStatistics
        storeConfiguration.watchSyncFailed = { error in
            logger.warning("watch catch-up read failed; retrying", metadata: ["error": "\(error)"])
        }
        do {
            self.leases = try LeaseIndex(backend: backend)
            self.store = try KVStore(backend: backend, leases: self.leases, configuration: storeConfiguration)
            self.alarms = try AlarmStore(backend: backend)
        } catch {
            backend.close()
            throw error
        }
        self.backend = backend
        self.kv = KVApplier(store: self.store)
        self.membership = MembershipStore(backend: backend)
    }

    /// Marks one more reader; it must ``giveBack()`` when done.
    func borrow() {
        self.borrowers.add(1, ordering: .sequentiallyConsistent)
    }

    /// Ends a reader's ``borrow()``.
    func giveBack() {
        self.borrowers.subtract(1, ordering: .sequentiallyConsistent)
    }

    /// Commits what is pending, durably, then closes (see ``close()``). Apply thread.
    func commitAndClose() throws(KVError) {
        defer { self.close() }
        try self.store.commit(durably: true)
    }

    /// Waits until no reader borrows the stores any more (new readers go to the stores that replaced
    /// them), then ends every watch stream and closes the backend, dropping what is not committed. Apply
    /// thread.
    func close() {
        while self.borrowers.load(ordering: .sequentiallyConsistent) > 0 {
            usleep(500)
        }
        self.store.close()
        self.backend.close()
    }
}
