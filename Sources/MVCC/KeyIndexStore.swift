import Backend

/// What the key index answers for one key at one revision.
struct KeyIndexHit: Sendable, Equatable {
    /// The revision of the key's value at the revision asked about.
    var modified: Revision
    /// The revision that created the key's current generation.
    var created: Revision
    /// The number of puts in that generation up to `modified`.
    var version: Int64
}

/// The key index: for every key, its generations of revisions (`KeyIndex`). Two implementations: in
/// memory, rebuilt on open by scanning the key database (`MemoryKeyIndex`, etcd's `treeIndex`), and in
/// the backend's `keyIndex` database (`PersistedKeyIndex`).
///
/// Reads take the reader's `ReadView` (the persisted index reads through it; the in-memory one is
/// shared and answers for its latest state, which is why readers re-check the compaction revision
/// after reading). Writes happen on the apply thread inside one MVCC write transaction and are staged:
/// `pendingMutations` gives the backend writes to apply with the transaction's data, then
/// `commitPending` or `rollbackPending` settles them.
protocol KeyIndexStore: AnyObject, Sendable {
    /// The key's revision, creation revision and version at `atRev`, or nil when absent then. A nil
    /// `view` reads as the writer (apply thread, staged changes included).
    func get(_ key: [UInt8], atRev: Int64, view: ReadView?) throws(BackendError) -> KeyIndexHit?
    /// The revisions at `atRev` of the keys of `range` that exist then, in key order: the first `limit`
    /// of them (all when `limit` is 0) and how many there are in all.
    func revisions(in range: KeyRange, atRev: Int64, limit: Int, view: ReadView?)
        throws(BackendError) -> (revisions: [Revision], total: Int)
    /// The keys of `range` that exist at `atRev`.
    func keys(in range: KeyRange, atRev: Int64, view: ReadView?) throws(BackendError) -> [[UInt8]]
    /// The whole index of `key`, or nil.
    func keyIndex(_ key: [UInt8], view: ReadView?) throws(BackendError) -> KeyIndex?
    /// True when a compaction at `atRev` would keep at least one revision (etcd's `len(keep) > 0`).
    func hasKeep(atRev: Int64, view: ReadView?) throws(BackendError) -> Bool

    /// Records a put of `key` at `revision`, now attached to `lease` (0 for none). Apply thread.
    func put(_ key: [UInt8], _ revision: Revision, lease: Int64) throws(BackendError)
    /// Records a delete of `key` at `revision`; false when the key has no live generation. Apply thread.
    func tombstone(_ key: [UInt8], _ revision: Revision) throws(BackendError) -> Bool
    /// The backend writes that persist the staged changes (none for the in-memory index).
    func pendingMutations() -> [Mutation]
    /// Makes the staged changes final, once the transaction's writes were applied.
    func commitPending()
    /// Undoes the staged changes, when the transaction's writes failed.
    func rollbackPending()
    /// Compacts at `atRev` up to `limit` keys starting at `start`: returns where to continue (nil when
    /// done) and the backend writes to apply for this batch. Apply thread.
    func compact(atRev: Int64, from start: [UInt8], limit: Int) throws(BackendError) -> (next: [UInt8]?, mutations: [Mutation])
    /// Number of keys indexed (live or with history).
    var keyCount: Int { get }
}
