import EtcdProto

/// Where the applier reads: the store at one pinned revision (reads and read-only txns, any thread) or
/// a write transaction (write requests, apply thread).
protocol KVReadContext {
    /// Reads as etcd's `ReadView.Range` does in this context.
    func range(_ range: KeyRange, options: RangeOptions) throws(KVError) -> RangeResult
    /// The revision the context reads at by default (etcd's `Rev()`).
    var contextRevision: Int64 { get }
    /// The compacted revision when the context opened (etcd's `FirstRev()`).
    var firstRevision: Int64 { get }
}

/// The store read at the revision current when the context was made, so that every read of one
/// request (the compares and ranges of a txn) sees the same state while writes go on.
struct PinnedRead: KVReadContext {
    let store: KVStore
    let contextRevision: Int64
    let firstRevision: Int64

    init(store: KVStore) {
        let state = store.revisions
        self.store = store
        contextRevision = state.current
        firstRevision = state.compacted
    }

    func range(_ range: KeyRange, options: RangeOptions) throws(KVError) -> RangeResult {
        var pinned = options
        if pinned.revision > contextRevision {
            throw .futureRevision
        }
        if pinned.revision <= 0 {
            pinned.revision = contextRevision
        }
        var result = try store.range(range, options: pinned)
        result.revision = contextRevision
        return result
    }
}

extension WriteTransaction: KVReadContext {
    var contextRevision: Int64 { readRevision }
    var firstRevision: Int64 { store.compactedRevision }
}
