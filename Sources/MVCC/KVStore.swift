import Backend
import EtcdProto
import Lease
import Synchronization

/// etcd's multi-version key-value store on the LMDB backend: every change gets a revision, every
/// revision of every key stays readable until compacted, and watchers follow the changes.
///
/// Threading: writes (`put`, `deleteRange`, `revokeLease`, `compact`, `setConsistentIndex`,
/// `runMaintenance`, `commit`, and `KVApplier`'s write requests) run on one thread, the apply thread,
/// which also owns the backend's writer. Reads (`range`, `hashKV`, the revision and index properties,
/// watch streams) run on any thread, concurrently with writes, and always see every write that
/// returned.
///
/// Durability: the backend commits in batches; the consistent index is written in every commit with
/// the data it covers (see `setConsistentIndex`).
public final class KVStore: @unchecked Sendable {
    struct RevisionState {
        var current: Int64
        var compacted: Int64
    }

    let backend: Backend
    let leases: LeaseIndex
    let configuration: StoreConfiguration
    let index: any KeyIndexStore
    let keyDatabase: Database
    let metaDatabase: Database
    let watchHub: WatchHub
    private let revisionState: Mutex<RevisionState>
    private let consistent: ConsistentIndexCell
    private let isClosed = Atomic<Bool>(false)
    /// Apply thread only.
    var compactionJobs: [CompactionJob] = []
    /// Apply thread only.
    var lastCompactionTicket = CompactionTicket.completed()
    /// Apply thread only: set while a write transaction is open.
    var writeInProgress = false

    /// Opens the store on `backend`: reads the compaction revisions and the consistent index, rebuilds
    /// (or opens) the key index, attaches the keys of `leases`, and schedules the compaction a crash
    /// interrupted. Call it on the apply thread. Throws when the key database cannot be read or holds an
    /// undecodable value.
    public init(backend: Backend, leases: LeaseIndex, configuration: StoreConfiguration = StoreConfiguration()) throws(KVError) {
        self.backend = backend
        self.leases = leases
        self.configuration = configuration
        keyDatabase = backend.database("key")
        metaDatabase = backend.database("meta")
        let restored = try StoreRestore.run(backend: backend, leases: leases, kind: configuration.keyIndex)
        index = restored.index
        revisionState = Mutex(RevisionState(current: restored.currentRevision, compacted: restored.compactedRevision))
        consistent = ConsistentIndexCell(restored.consistentIndex)
        watchHub = WatchHub(configuration: configuration)
        watchHub.attach(store: self)
        let metaDatabase = metaDatabase
        let consistent = consistent
        backend.writer.setPreCommitHook {
            let position = consistent.value
            guard position.index > 0 else { return [] }
            return [
                .put(metaDatabase, key: MetaKeys.consistentIndex, value: Bytes.bigEndian(position.index)),
                .put(metaDatabase, key: MetaKeys.term, value: Bytes.bigEndian(position.term)),
            ]
        }
        configuration.statistics.resetLiveKeys(try Self.countLiveKeys(index, atRev: restored.currentRevision))
        if let scheduled = restored.scheduledCompaction {
            lastCompactionTicket = CompactionTicket()
            compactionJobs.append(CompactionJob(revision: scheduled, ticket: lastCompactionTicket))
        }
    }

    deinit {
        close()
    }

    /// The revision of the last change (1 for an empty store, as in etcd). Any thread.
    public var currentRevision: Int64 {
        revisionState.withLock { $0.current }
    }

    /// The revision of the last compaction, or -1 when the store was never compacted. Reads below it
    /// fail. Any thread.
    public var compactedRevision: Int64 {
        revisionState.withLock { $0.compacted }
    }

    /// The Raft position of the last applied entry, as set by `setConsistentIndex` or read on open.
    /// Any thread.
    public var consistentIndex: ConsistentIndex {
        consistent.value
    }

    /// Records that the Raft entry at `index` of `term` is applied. Apply thread, after every entry
    /// (whether it changed the store or not), never in the middle of one: the next backend commit stores
    /// it together with everything applied before it.
    public func setConsistentIndex(_ index: UInt64, term: UInt64) {
        consistent.value = ConsistentIndex(index: index, term: term)
        backend.writer.noteChange()
    }

    /// Number of keys in the key index (live, or deleted with history not yet compacted). Any thread.
    public var indexedKeyCount: Int { index.keyCount }

    /// What the store has done, for metrics.
    public var statistics: KVStatistics { configuration.statistics }

    private static func countLiveKeys(_ index: any KeyIndexStore, atRev revision: Int64) throws(KVError) -> Int {
        do {
            return try index.revisions(in: KeyRange(key: [0], end: []), atRev: revision, limit: 1, view: nil).total
        } catch {
            throw .backend(error)
        }
    }

    /// Commits the backend batch now; `durably` also flushes the commit past a power cut (see
    /// `BatchWriter.commitDurably()`). Apply thread.
    public func commit(durably: Bool = false) throws(KVError) {
        do {
            if durably {
                try backend.writer.commitDurably()
            } else {
                try backend.writer.commit()
            }
        } catch {
            throw .backend(error)
        }
    }

    /// Stops the watch machinery and ends every watch stream. Compactions still pending stay scheduled
    /// in the backend and resume on the next open; their tickets report that they were abandoned. Does
    /// not commit or close the backend. Idempotent.
    public func close() {
        guard !isClosed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        watchHub.close()
        for job in compactionJobs {
            job.ticket.finish(completed: false)
        }
        compactionJobs.removeAll()
    }

    var revisions: RevisionState {
        revisionState.withLock { $0 }
    }

    /// Makes `revision` current; the watch hub calls it under its lock so that watchers registered
    /// concurrently see either the old revision and the notification, or the new revision.
    func advance(to revision: Int64) {
        revisionState.withLock { state in
            precondition(revision == state.current + 1, "revision \(revision) does not follow \(state.current)")
            state.current = revision
        }
    }

    func setCompacted(_ revision: Int64) {
        revisionState.withLock { $0.compacted = revision }
    }

    /// Opens a backend read view, mapping the failure.
    func readView() throws(KVError) -> ReadView {
        do {
            return try backend.read()
        } catch {
            throw .backend(error)
        }
    }
}

/// The consistent index, shared between the store and the backend's pre-commit hook.
final class ConsistentIndexCell: Sendable {
    private let state: Mutex<ConsistentIndex>

    init(_ value: ConsistentIndex) {
        state = Mutex(value)
    }

    var value: ConsistentIndex {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }
}
