import Backend
import Lease
import Logging
import Membership
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
    let auth: AuthState
    private let lifecycle = Mutex<(borrowers: Int, retired: Bool)>((0, false))

    /// Opens (creating when missing) the backend at `path`. Call on the apply thread.
    init(path: String, configuration: ServerConfiguration, logger: Logger) throws {
        var backendConfiguration = BackendConfiguration(path: path, quotaBytes: configuration.quotaBackendBytes)
        backendConfiguration.batchInterval = configuration.backendBatchInterval
        backendConfiguration.batchLimitOperations = configuration.backendBatchLimit
        let backend = try Backend(configuration: backendConfiguration)
        let disk = configuration.metrics.disk
        backend.writer.commitObserver = { took in
            disk.backendCommitSeconds.record(took.inSeconds)
            disk.backendCommitWriteSeconds.record(took.inSeconds)
        }
        var storeConfiguration = StoreConfiguration()
        storeConfiguration.statistics = configuration.kvStatistics
        storeConfiguration.compactionBatchLimit = configuration.compactionBatchLimit
        let compaction = configuration.metrics.compaction
        storeConfiguration.compactionObserver = { compaction.record($0) }
        storeConfiguration.watchSyncFailed = { error in
            logger.warning("watch catch-up read failed; retrying", metadata: ["error": "\(error)"])
        }
        do {
            self.leases = try LeaseIndex(backend: backend)
            self.store = try KVStore(backend: backend, leases: self.leases, configuration: storeConfiguration)
            self.alarms = try AlarmStore(backend: backend)
            self.auth = try AuthState(backend: backend)
        } catch {
            backend.close()
            throw error
        }
        self.backend = backend
        self.kv = KVApplier(store: self.store)
        self.membership = MembershipStore(backend: backend)
    }

    /// Marks one more reader; it must ``giveBack()`` when done. Only current stores are borrowed (under
    /// the state machine's publication lock), so retired stores gain no new readers.
    func borrow() {
        self.lifecycle.withLock { $0.borrowers += 1 }
    }

    /// Ends a reader's ``borrow()``; the last reader of retired stores closes their backend.
    func giveBack() {
        let closeNow = self.lifecycle.withLock { lifecycle in
            lifecycle.borrowers -= 1
            return lifecycle.retired && lifecycle.borrowers == 0
        }
        if closeNow { self.backend.close() }
    }

    /// Commits what is pending, durably, then retires the stores (see ``retire()``). Apply thread.
    func commitAndRetire() throws(KVError) {
        defer { self.retire() }
        try self.store.commit(durably: true)
    }

    /// Closes the stores for good, dropping what is not committed: the watch streams end at once, and the
    /// backend closes now or, when readers still borrow it (a long copy for a peer or a client), when the
    /// last of them gives it back, on that reader's thread. The apply thread never waits for a reader.
    /// Apply thread.
    func retire() {
        self.backend.writer.abandon()
        self.store.close()
        let closeNow = self.lifecycle.withLock { lifecycle in
            lifecycle.retired = true
            return lifecycle.borrowers == 0
        }
        if closeNow { self.backend.close() }
    }
}
