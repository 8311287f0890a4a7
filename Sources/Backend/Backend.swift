import CLMDB
import Glibc
import Synchronization

/// The storage engine under MVCC, leases and the rest of the state machine: an LMDB environment with
/// etcd's named databases, one batched writer and any number of consistent read views.
///
/// Writes go through `writer` on a single thread (the apply thread); they are visible to read views as
/// soon as `BatchWriter.apply` returns, and reach the disk when the batch is committed (every
/// `batchInterval` or `batchLimitOperations`, driven by the writer's owner). Reads (`read()`) may come
/// from any thread at any time; LMDB readers never block the writer or each other.
public final class Backend: @unchecked Sendable {
    private struct ViewState {
        var generation: UInt64 = 0
        var buffer: WriteBuffer
    }

    /// The configuration the backend was opened with.
    public let configuration: BackendConfiguration
    /// Where the data file is now: `configuration.path` until ``moveDataFile(to:)`` moves it. Changed
    /// and read on the writer's thread only.
    public internal(set) var path: String
    /// LMDB's page size, fixed for the life of the file.
    public let pageSizeBytes: Int
    // Replaced only by `defragment()`, on the writer's thread, while `gate` is held exclusively and no
    // view is open; every other thread reads them under `gate` shared (or through an open view).
    private(set) var environment: OpaquePointer
    private(set) var databases: [Database]
    private var readers: ReadTransactionPool
    let gate = EnvironmentGate()
    private let databasesByName: [String: Database]
    private let viewState: Mutex<ViewState>
    private let openViews = Atomic<Int>(0)
    private let closed = Atomic<Bool>(false)
    private var batchWriter: BatchWriter?

    /// Opens (creating when missing) the data file at `configuration.path` and every database named in
    /// the configuration. The directory holding the file must exist. Throws when LMDB cannot open the
    /// file, for example when it is not an LMDB environment.
    public init(configuration: BackendConfiguration) throws(BackendError) {
        guard configuration.mapSizeBytes > 0, configuration.maxReaders > ReadTransactionPool.maxIdleTransactions else {
            throw BackendError(.invalidConfiguration("map size must be positive and readers above the idle pool"))
        }
        self.configuration = configuration
        self.path = configuration.path
        let environment = try Self.openEnvironment(configuration, path: configuration.path)
        self.environment = environment
        var stat = MDB_stat()
        mdb_env_stat(environment, &stat)
        self.pageSizeBytes = Int(stat.ms_psize)
        do throws(BackendError) {
            databases = try Self.openDatabases(environment, names: configuration.databaseNames)
        } catch {
            mdb_env_close(environment)
            throw error
        }
        databasesByName = Dictionary(uniqueKeysWithValues: databases.map { ($0.name, $0) })
        readers = ReadTransactionPool(environment: environment)
        let buffer = WriteBuffer(tableCount: databases.count)
        viewState = Mutex(ViewState(buffer: buffer))
        batchWriter = BatchWriter(backend: self, buffer: buffer)
    }

    deinit {
        close()
    }

    /// The single writer. See `BatchWriter` for its threading rule.
    public var writer: BatchWriter {
        guard let batchWriter else {
            preconditionFailure("Backend used after close()")
        }
        return batchWriter
    }

    /// The handle of the database called `name`, which must be one of `configuration.databaseNames`.
    public func database(_ name: String) -> Database {
        guard let database = databasesByName[name] else {
            preconditionFailure("database \(name) is not in the backend configuration")
        }
        return database
    }

    /// Opens a consistent snapshot: the last commit plus every write applied before this call.
    /// Any thread. Throws `readersFull` when every reader slot is taken.
    public func read() throws(BackendError) -> ReadView {
        while true {
            let generation = viewState.withLock { $0.generation }
            // Checked under the gate: `close()` marks the backend closed before it takes the gate, so a
            // view is either counted before the close waits for views, or refused.
            let transaction = try gate.shared { () throws(BackendError) in
                guard !closed.load(ordering: .acquiring) else { throw BackendError.closed }
                openViews.add(1, ordering: .sequentiallyConsistent)
                do throws(BackendError) {
                    return try readers.acquire()
                } catch {
                    openViews.subtract(1, ordering: .sequentiallyConsistent)
                    throw error
                }
            }
            // A commit between the two locked reads would pair the new snapshot with an old buffer
            // whose sequence number could be stale: retry. A commit that finished before the second read
            // but has not rotated the buffer yet is harmless: that buffer holds exactly the new snapshot.
            let snapshot = viewState.withLock { state in
                (state.generation, state.buffer, state.buffer.sequence)
            }
            if snapshot.0 == generation {
                return ReadView(backend: self, transaction: transaction, buffer: snapshot.1, sequence: snapshot.2)
            }
            releaseView(transaction)
        }
    }

    /// The data file's size in bytes: every page up to the highest one in use (etcd's
    /// `db_total_size_in_bytes`); 0 once the backend is closed.
    public func sizeBytes() -> Int64 {
        gate.shared {
            guard !closed.load(ordering: .acquiring) else { return 0 }
            var info = MDB_envinfo()
            mdb_env_info(environment, &info)
            var stat = MDB_stat()
            mdb_env_stat(environment, &stat)
            return Int64(info.me_last_pgno + 1) * Int64(stat.ms_psize)
        }
    }

    /// The bytes of the data file holding live data: the size minus the pages on LMDB's free list
    /// (etcd's `db_total_size_in_use_in_bytes`).
    public func sizeInUseBytes() throws(BackendError) -> Int64 {
        let view = try read()
        defer { view.close() }
        var freePages: Int64 = 0
        try LMDBAccess.scan(view.openTransaction(), 0, from: [], to: nil) { _, value in
            // A free-list record is an LMDB ID list: its first word is the number of page IDs after it.
            if value.count >= MemoryLayout<Int>.size {
                freePages += Int64(value.loadUnaligned(as: Int.self))
            }
            return true
        }
        return max(0, sizeBytes() - freePages * Int64(pageSizeBytes))
    }

    /// Whether ``close()`` has run.
    public var isClosed: Bool { closed.load(ordering: .acquiring) }

    /// Number of read views currently open.
    public var openViewCount: Int { openViews.load(ordering: .relaxed) }

    /// Closes the environment. Uncommitted writes are dropped: commit first. New read views are refused
    /// with `closed` from now on; views already open are waited for (they are short: one read each). The
    /// writer must have no open transaction or be called from its thread. Idempotent.
    public func close() {
        guard !closed.exchange(true, ordering: .sequentiallyConsistent) else { return }
        gate.exclusive {}
        while openViews.load(ordering: .sequentiallyConsistent) > 0 {
            usleep(200)
        }
        batchWriter?.abandon()
        batchWriter = nil
        gate.exclusive {
            readers.drain()
            mdb_env_close(environment)
        }
    }

    /// Closes the environment and opens the data file now at ``path`` (which a defragmentation may have
    /// replaced). Call with `gate` held exclusively and no view open. A file that cannot be reopened stops
    /// the process: the backend has nothing left to serve from.
    func reopenEnvironment() {
        readers.drain()
        mdb_env_close(environment)
        do throws(BackendError) {
            environment = try Self.openEnvironment(configuration, path: path)
            let reopened = try Self.openDatabases(environment, names: configuration.databaseNames)
            precondition(reopened == databases, "LMDB numbered the databases differently after reopening")
        } catch {
            fatalError("cannot reopen the backend at \(path): \(error)")
        }
        readers = ReadTransactionPool(environment: environment)
    }

    func releaseView(_ transaction: OpaquePointer) {
        readers.release(transaction)
        openViews.subtract(1, ordering: .sequentiallyConsistent)
    }

    /// Starts a new empty write buffer after a commit; views opened from now on see the new snapshot.
    func rotateBuffer() -> WriteBuffer {
        let buffer = WriteBuffer(tableCount: databases.count)
        viewState.withLock { state in
            state.generation += 1
            state.buffer = buffer
        }
        return buffer
    }

    static func openEnvironment(_ configuration: BackendConfiguration, path: String) throws(BackendError) -> OpaquePointer {
        var environment: OpaquePointer?
        try check(mdb_env_create(&environment), "mdb_env_create")
        do throws(BackendError) {
            try check(mdb_env_set_maxreaders(environment, UInt32(configuration.maxReaders)), "mdb_env_set_maxreaders")
            try check(mdb_env_set_maxdbs(environment, MDB_dbi(configuration.databaseNames.count)), "mdb_env_set_maxdbs")
            try check(mdb_env_set_mapsize(environment, Int(configuration.mapSizeBytes)), "mdb_env_set_mapsize")
            // NOTLS: read transactions belong to views, not threads. NOMETASYNC: see BatchWriter.
            // NORDAHEAD: the data file may exceed RAM and reads are random.
            let flags = UInt32(MDB_NOSUBDIR | MDB_NOTLS | MDB_NOMETASYNC | MDB_NORDAHEAD)
            try check(mdb_env_open(environment, path, flags, 0o644), "mdb_env_open \(path)")
            var dead: Int32 = 0
            try check(mdb_reader_check(environment, &dead), "mdb_reader_check")
        } catch {
            mdb_env_close(environment)
            throw error
        }
        return environment!
    }

    private static func openDatabases(_ environment: OpaquePointer, names: [String]) throws(BackendError) -> [Database] {
        var transaction: OpaquePointer?
        try check(mdb_txn_begin(environment, nil, 0, &transaction), "mdb_txn_begin (open databases)")
        var databases: [Database] = []
        for (slot, name) in names.enumerated() {
            var dbi: MDB_dbi = 0
            let rc = mdb_dbi_open(transaction, name, UInt32(MDB_CREATE), &dbi)
            if rc != MDB_SUCCESS {
                mdb_txn_abort(transaction)
                throw BackendError.lmdb(rc, "mdb_dbi_open \(name)")
            }
            databases.append(Database(name: name, dbi: dbi, slot: slot))
        }
        try check(mdb_txn_commit(transaction), "mdb_txn_commit (open databases)")
        return databases
    }
}
