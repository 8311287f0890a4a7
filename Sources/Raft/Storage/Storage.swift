/// The durable Raft log as a ``RawNode`` reads it: the entries after the latest snapshot, that snapshot, and the
/// hard state saved at the last ``Ready``.
///
/// The owner writes to its storage from each ``Ready`` (entries, hard state, snapshot) before calling
/// ``RawNode/advance(_:)``; the node only reads. Indexes below ``firstIndex()`` are compacted: the snapshot stands
/// for them, and the term of the entry just before ``firstIndex()`` (the snapshot's index) stays known.
///
/// Threading: the node calls from its owner's thread only, between the owner's own writes.
public protocol Storage: AnyObject {
    /// The hard state last saved and the configuration of the latest snapshot, read once when a node starts.
    func initialState() -> (hardState: HardState, confState: ConfState)

    /// The entries with indexes in `lo ..< hi`, cut to at most `maxBytes` of ``Entry/byteSize`` but never to
    /// fewer than one entry.
    ///
    /// - Precondition: `lo <= hi <= lastIndex() + 1`.
    /// - Throws: ``StorageError/compacted`` when `lo < firstIndex()`; ``StorageError/unavailable`` when the
    ///   entries cannot be read.
    func entries(lo: UInt64, hi: UInt64, maxBytes: Int) throws(StorageError) -> [Entry]

    /// The term of the entry at `index`, for `firstIndex() - 1 ... lastIndex()`.
    ///
    /// - Throws: ``StorageError/compacted`` below `firstIndex() - 1`; ``StorageError/unavailable`` beyond
    ///   `lastIndex()`.
    func term(_ index: UInt64) throws(StorageError) -> UInt64

    /// The index of the first entry still held: one past the snapshot's index.
    func firstIndex() -> UInt64

    /// The index of the last entry held, or the snapshot's index when no entry follows it.
    func lastIndex() -> UInt64

    /// The latest snapshot, sent to followers that need compacted entries.
    ///
    /// - Throws: ``StorageError/snapshotTemporarilyUnavailable`` while one is being made; the node asks again later.
    func snapshot() throws(StorageError) -> Snapshot
}
