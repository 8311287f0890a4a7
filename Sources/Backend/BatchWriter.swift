import CLMDB
import Glibc

/// The backend's single writer: one LMDB write transaction that collects every applied write until the
/// batch is committed, plus the write buffer that lets read views see those writes before the commit.
///
/// Threading: LMDB binds a write transaction to the thread that began it. All calls that touch the
/// open transaction (`apply`, `commit`, `commitIfDue`, the read methods) must come from that thread —
/// in the server, the apply thread — until the batch is committed; a call from another thread while a
/// transaction is open stops the process (it would otherwise deadlock LMDB's writer lock).
///
/// Durability: commits run with `MDB_NOMETASYNC`: the data pages are fsynced, the meta page is
/// written but not fsynced, so a power loss may undo the last commit but never corrupts the file. The
/// WAL is replayed from the consistent index stored by the pre-commit hook, so an undone batch is
/// applied again — as long as the WAL still holds it: before the owner lets the WAL go past a commit,
/// it makes that commit fully durable with `commitDurably()`.
public final class BatchWriter: @unchecked Sendable {
    /// A batch is also committed once its keys and values add up to this many bytes, which bounds the
    /// dirty pages of one transaction far below LMDB's limit (`MDB_TXN_FULL`).
    public static let batchLimitBytes = 64 * 1024 * 1024

    private unowned let backend: Backend
    private let clock = ContinuousClock()
    private var transaction: OpaquePointer?
    private var owner = pthread_t()
    private var buffer: WriteBuffer
    private var pendingOperations = 0
    private var pendingBytes = 0
    private var changeNoted = false
    private var batchStarted: ContinuousClock.Instant?
    private var preCommitHook: (() -> [Mutation])?
    private var failure: BackendError?
    /// Called on the writer's thread with the duration of every successful commit (etcd's
    /// `backend_commit_duration_seconds`). Set it before the first write.
    public var commitObserver: (@Sendable (Duration) -> Void)?

    init(backend: Backend, buffer: WriteBuffer) {
        self.backend = backend
        self.buffer = buffer
    }

    /// Operations applied since the last commit.
    public var uncommittedOperations: Int { pendingOperations }

    /// True when a commit would write something: applied operations or a change noted with
    /// `noteChange()`.
    public var hasUncommittedChanges: Bool { pendingOperations > 0 || changeNoted }

    /// When the open batch becomes due by age, or nil when nothing is pending. The owner of the writer
    /// should call `commitIfDue` no later than this.
    public var nextCommitDeadline: ContinuousClock.Instant? {
        batchStarted.map { $0.advanced(by: backend.configuration.batchInterval) }
    }

    /// Registers the function that supplies writes to add to every commit, right before it (MVCC uses it
    /// to store the consistent index and term with the data they cover). It runs on the writer's thread.
    public func setPreCommitHook(_ hook: @escaping () -> [Mutation]) {
        preCommitHook = hook
    }

    /// Records that the pre-commit hook has something new to write, so that the batch is committed (by
    /// `commitIfDue` or `commit`) even when no operation was applied.
    public func noteChange() {
        changeNoted = true
        if batchStarted == nil {
            batchStarted = clock.now
        }
    }

    /// Applies `mutations` as one atomic step: read views opened afterwards see all of them, none
    /// before. Throws `BackendError.mapFull` (or another LMDB failure) with nothing of `mutations`
    /// applied and every earlier write of the batch intact.
    public func apply(_ mutations: [Mutation]) throws(BackendError) {
        try checkUsable()
        guard !mutations.isEmpty else { return }
        let transaction = try openTransaction()
        for mutation in mutations {
            let rc = LMDBAccess.apply(
                transaction, mutation.database.dbi, key: mutation.key, value: mutation.value,
                append: mutation.isAppend)
            if rc != MDB_SUCCESS {
                let error = BackendError.lmdb(rc, "write to \(mutation.database)")
                rebuildTransaction()
                throw error
            }
        }
        buffer.publish(mutations)
        pendingOperations += mutations.count
        pendingBytes += mutations.reduce(0) { $0 + $1.byteCount }
        if batchStarted == nil {
            batchStarted = clock.now
        }
    }

    /// Commits the batch if it is due: old enough, or holding enough operations or bytes. Returns true
    /// when it committed. Call it between applied entries, never in the middle of one.
    @discardableResult
    public func commitIfDue(now: ContinuousClock.Instant = ContinuousClock.now) throws(BackendError) -> Bool {
        guard hasUncommittedChanges, let batchStarted else { return false }
        let configuration = backend.configuration
        let due = pendingOperations >= configuration.batchLimitOperations
            || pendingBytes >= Self.batchLimitBytes
            || now >= batchStarted.advanced(by: configuration.batchInterval)
        guard due else { return false }
        try commit()
        return true
    }

    /// Commits the batch now (with the pre-commit hook's writes), making it durable up to the meta-page
    /// caveat of `MDB_NOMETASYNC`. Does nothing when there is nothing to commit. On failure (for
    /// example `mapFull` while LMDB saves its free list) the batch stays applied and visible, and a later
    /// commit retries it.
    public func commit() throws(BackendError) {
        try checkUsable()
        guard hasUncommittedChanges else { return }
        let transaction = try openTransaction()
        for mutation in preCommitHook?() ?? [] {
            let rc = LMDBAccess.apply(transaction, mutation.database.dbi, key: mutation.key, value: mutation.value, append: false)
            if rc != MDB_SUCCESS {
                let error = BackendError.lmdb(rc, "pre-commit write to \(mutation.database)")
                rebuildTransaction()
                throw error
            }
        }
        let started = clock.now
        let rc = mdb_txn_commit(transaction)
        self.transaction = nil
        if rc != MDB_SUCCESS {
            let error = BackendError.lmdb(rc, "mdb_txn_commit")
            replayBuffer()
            throw error
        }
        commitObserver?(clock.now - started)
        buffer = backend.rotateBuffer()
        pendingOperations = 0
        pendingBytes = 0
        changeNoted = false
        batchStarted = nil
    }

    /// Commits the batch (as ``commit()``) and then flushes LMDB's meta page as well, so that the last
    /// commit survives a power cut. For a point the owner reports as durable to others: once the member
    /// tells Raft the backend holds an index, the WAL before it may be released.
    public func commitDurably() throws(BackendError) {
        try commit()
        try check(mdb_env_sync(backend.environment, 1), "mdb_env_sync")
    }

    /// Calls `body` with the value of `key` as the writer sees it (every applied write included).
    public func withValue<R>(
        _ database: Database, _ key: [UInt8], _ body: (UnsafeRawBufferPointer?) -> R
    ) throws(BackendError) -> R {
        try checkUsable()
        return try LMDBAccess.withValue(openTransaction(), database.dbi, key, body)
    }

    /// The value of `key` as the writer sees it, copied.
    public func get(_ database: Database, _ key: [UInt8]) throws(BackendError) -> [UInt8]? {
        try withValue(database, key) { $0.map { Array($0) } }
    }

    /// Calls `body` for each entry in `[start, end)` as the writer sees it, in key order, until it
    /// returns false. `body` must not apply writes.
    public func scan(
        _ database: Database, from start: [UInt8] = [], to end: [UInt8]? = nil,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> Bool
    ) throws(BackendError) {
        try checkUsable()
        try LMDBAccess.scan(openTransaction(), database.dbi, from: start, to: end, body)
    }

    /// Aborts the open transaction, dropping the uncommitted batch from LMDB (it stays in the write
    /// buffer, which dies with the backend): for a backend about to close, possibly from another thread.
    /// Call on the writer's thread.
    public func abandon() {
        guard let transaction else { return }
        checkThread()
        mdb_txn_abort(transaction)
        self.transaction = nil
    }

    private func checkUsable() throws(BackendError) {
        checkThread()
        if let failure {
            throw failure
        }
    }

    private func checkThread() {
        guard transaction != nil else { return }
        precondition(
            pthread_equal(owner, pthread_self()) != 0,
            "BatchWriter used from a thread other than the one that began its LMDB write transaction")
    }

    private func openTransaction() throws(BackendError) -> OpaquePointer {
        if let transaction {
            return transaction
        }
        var transaction: OpaquePointer?
        try check(mdb_txn_begin(backend.environment, nil, 0, &transaction), "mdb_txn_begin (write)")
        self.transaction = transaction
        owner = pthread_self()
        return transaction!
    }

    /// After a failed write LMDB's transaction is unusable: abort it and rebuild the batch from the
    /// write buffer, which holds exactly the writes applied before the failed call.
    private func rebuildTransaction() {
        if let transaction {
            mdb_txn_abort(transaction)
            self.transaction = nil
        }
        replayBuffer()
    }

    private func replayBuffer() {
        do throws(BackendError) {
            let transaction = try openTransaction()
            for entry in buffer.latestEntries() {
                let database = backend.databases[entry.slot]
                let rc = LMDBAccess.apply(transaction, database.dbi, key: entry.key, value: entry.value, append: false)
                if rc != MDB_SUCCESS {
                    throw BackendError.lmdb(rc, "replay of the uncommitted batch into \(database)")
                }
            }
        } catch {
            failure = error
            if let transaction {
                mdb_txn_abort(transaction)
                self.transaction = nil
            }
        }
    }
}

extension Mutation {
    /// The value written, or nil for a delete.
    var value: [UInt8]? {
        switch operation {
        case .put(let value): value
        case .delete: nil
        }
    }
}
