/// A ``Storage`` that keeps everything in memory: the test double, and the cache a durable log can sit behind.
///
/// It holds a snapshot, the entries after it, and the hard state. Its mutating methods are what the owner does
/// with each ``Ready``: ``applySnapshot(_:)``, ``append(_:)``, ``setHardState(_:)``; and what it does to bound
/// memory: ``createSnapshot(index:confState:data:)`` then ``compact(upTo:)``.
///
/// Threading: not synchronized; the owner of the ``RawNode`` reading it is its only user.
public final class MemoryStorage: Storage {
    /// `log[0]` stands for the snapshot: it carries the snapshot's index and term and no data, so that
    /// ``term(_:)`` answers for the index just before ``firstIndex()``.
    private var log: [Entry]
    private var currentSnapshot: Snapshot

    /// The hard state given to the last ``setHardState(_:)``.
    public private(set) var hardState: HardState

    /// Creates an empty storage: no entries, an empty snapshot and an empty hard state.
    public init() {
        self.log = [Entry(term: 0, index: 0)]
        self.currentSnapshot = Snapshot()
        self.hardState = .empty
    }

    private var snapshotIndex: UInt64 { self.log[0].index }

    /// The hard state last set and the configuration of the held snapshot.
    public func initialState() -> (hardState: HardState, confState: ConfState) {
        (self.hardState, self.currentSnapshot.metadata.confState)
    }

    /// A copy of the entries in `lo ..< hi`, cut to `maxBytes` (at least one); see ``Storage``.
    public func entries(lo: UInt64, hi: UInt64, maxBytes: Int) throws(StorageError) -> [Entry] {
        let log = self.log
        let base = log[0].index
        guard lo > base else { throw .compacted }
        precondition(lo <= hi && hi <= base + UInt64(log.count), "entries [\(lo), \(hi)) beyond the log")
        let start = Int(lo - base)
        let end = Int(hi - base)
        let count = EntryLimits.prefixCount(of: log[start..<end], maxBytes: maxBytes)
        return Array(log[start..<(start + count)])
    }

    /// The term at `index`, in constant time; see ``Storage``.
    public func term(_ index: UInt64) throws(StorageError) -> UInt64 {
        let log = self.log
        let base = log[0].index
        guard index >= base else { throw .compacted }
        let offset = index - base
        guard offset < UInt64(log.count) else { throw .unavailable }
        return log[Int(offset)].term
    }

    /// One past the snapshot's index.
    public func firstIndex() -> UInt64 { self.snapshotIndex + 1 }

    /// The last entry's index, or the snapshot's when no entry follows it.
    public func lastIndex() -> UInt64 { self.snapshotIndex + UInt64(self.log.count) - 1 }

    /// The held snapshot; never temporarily unavailable.
    public func snapshot() throws(StorageError) -> Snapshot { self.currentSnapshot }

    /// Saves the hard state of a ``Ready``.
    public func setHardState(_ state: HardState) {
        self.hardState = state
    }

    /// Appends the entries of a ``Ready``, first discarding any held entries from the first new index on (a new
    /// leader may overwrite an uncommitted tail). Entries at or below the snapshot are skipped.
    ///
    /// - Precondition: the first entry's index is at most `lastIndex() + 1` (no gap) and the indexes are contiguous.
    public func append(_ entries: [Entry]) {
        guard let first = entries.first, let last = entries.last else { return }
        guard last.index > self.snapshotIndex else { return }
        precondition(first.index <= self.lastIndex() + 1,
                     "missing log entries: last \(self.lastIndex()), appending at \(first.index)")
        precondition(last.index - first.index + 1 == UInt64(entries.count), "appended entries are not contiguous")
        let skip = first.index <= self.snapshotIndex ? Int(self.snapshotIndex + 1 - first.index) : 0
        let keep = Int(first.index + UInt64(skip) - self.snapshotIndex)
        if keep < self.log.count {
            self.log.removeSubrange(keep...)
        }
        if skip == 0 {
            self.log.append(contentsOf: entries)
        } else {
            self.log.append(contentsOf: entries[skip...])
        }
    }

    /// Replaces everything with the snapshot of a ``Ready``: the log restarts after it.
    ///
    /// - Throws: ``StorageError/snapshotOutOfDate`` when the snapshot is not newer than the one held.
    public func applySnapshot(_ snapshot: Snapshot) throws(StorageError) {
        guard snapshot.metadata.index > self.snapshotIndex else { throw .snapshotOutOfDate }
        self.currentSnapshot = snapshot
        self.log = [Entry(term: snapshot.metadata.term, index: snapshot.metadata.index)]
    }

    /// Records a snapshot of the owner's state machine as of `index` (which it has applied), to send to followers
    /// that fall behind compaction. Entries are kept until ``compact(upTo:)``.
    ///
    /// - Parameters:
    ///   - confState: the configuration in force at `index`; `nil` keeps the previous snapshot's.
    ///   - data: the state machine's state at `index`, opaque to Raft.
    /// - Precondition: `index <= lastIndex()`.
    /// - Throws: ``StorageError/snapshotOutOfDate`` when `index` is not above the held snapshot's index.
    @discardableResult
    public func createSnapshot(index: UInt64, confState: ConfState?, data: [UInt8]) throws(StorageError) -> Snapshot {
        guard index > self.currentSnapshot.metadata.index else { throw .snapshotOutOfDate }
        precondition(index <= self.lastIndex(), "snapshot index \(index) beyond last index \(self.lastIndex())")
        let term = self.log[Int(index - self.snapshotIndex)].term
        let configuration = confState ?? self.currentSnapshot.metadata.confState
        self.currentSnapshot = Snapshot(
            metadata: SnapshotMetadata(index: index, term: term, confState: configuration),
            data: data
        )
        return self.currentSnapshot
    }

    /// Discards the entries up to and including `index`; the first index becomes `index + 1`. The owner makes a
    /// snapshot at or above `index` first, so followers that need the discarded entries can be sent one.
    ///
    /// - Precondition: `index <= lastIndex()`.
    /// - Throws: ``StorageError/compacted`` when `index` is already compacted.
    public func compact(upTo index: UInt64) throws(StorageError) {
        guard index > self.snapshotIndex else { throw .compacted }
        precondition(index <= self.lastIndex(), "compact \(index) beyond last index \(self.lastIndex())")
        let drop = Int(index - self.snapshotIndex)
        let base = self.log[drop]
        self.log.removeSubrange(0..<drop)
        self.log[0] = Entry(term: base.term, index: base.index)
        if self.log.capacity > 2 * self.log.count + Self.spareEntries {
            // The log grew to the snapshot interval; what is left is usually a small part of it.
            var kept: [Entry] = []
            kept.reserveCapacity(self.log.count + Self.spareEntries)
            kept.append(contentsOf: self.log)
            self.log = kept
        }
    }

    /// Room for this many entries beyond the kept ones survives a ``compact(upTo:)``; more is given back.
    private static let spareEntries = 4096
}
