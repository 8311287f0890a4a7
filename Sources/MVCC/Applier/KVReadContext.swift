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
        var result = try store.range(range, options: self.pinned(options))
        result.revision = contextRevision
        return result
    }

    /// ``KVStore/encodedRange(_:options:field:)`` at the pinned revision, as ``range(_:options:)`` reads.
    func encodedRange(_ range: KeyRange, options: RangeOptions, field: UInt64) throws(KVError) -> EncodedKeyValues {
        var encoded = try store.encodedRange(range, options: self.pinned(options), field: field)
        encoded.revision = contextRevision
        return encoded
    }

    /// `options` reading at the pinned revision unless they name an earlier one.
    private func pinned(_ options: RangeOptions) throws(KVError) -> RangeOptions {
        var pinned = options
        if pinned.revision > contextRevision {
            throw .futureRevision
        }
        if pinned.revision <= 0 {
            pinned.revision = contextRevision
        }
        return pinned
    }
}

extension WriteTransaction: KVReadContext {
    var contextRevision: Int64 { readRevision }
    var firstRevision: Int64 { store.compactedRevision }
}
