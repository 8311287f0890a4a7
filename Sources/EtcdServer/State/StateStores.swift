import Backend
import Lease
import MVCC
import Telemetry

/// Everything the member keeps in its backend, opened together: the backend, the lease records, the MVCC
/// store with its watchers, the request applier, the membership records and the alarms. Replaced as a whole when a
/// follower installs the leader's snapshot.
///
/// Threading: opened, written and closed on the apply thread; readable from any thread.
final class StateStores: Sendable {
    let backend: Backend
    let leases: LeaseIndex
    let store: KVStore
    let kv: KVApplier
    let membership: MembershipStore
    let alarms: AlarmStore

    /// Opens (creating when missing) the backend at `path`. Call on the apply thread.
    init(path: String, configuration: ServerConfiguration) throws {
        var backendConfiguration = BackendConfiguration(path: path, quotaBytes: configuration.quotaBackendBytes)
        backendConfiguration.batchInterval = configuration.backendBatchInterval
        backendConfiguration.batchLimitOperations = configuration.backendBatchLimit
        let backend = try Backend(configuration: backendConfiguration)
        let commitSeconds = configuration.metrics.disk.backendCommitSeconds
        backend.writer.commitObserver = { commitSeconds.record($0.inSeconds) }
        var storeConfiguration = StoreConfiguration()
        storeConfiguration.statistics = configuration.kvStatistics
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

    /// Commits what is pending, ends every watch stream and closes the backend. Apply thread.
    func close() {
        try? self.store.commit()
        self.store.close()
        self.backend.close()
    }
}
