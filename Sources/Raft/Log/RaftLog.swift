/// The log as one sequence: the durable part in ``Storage`` followed by the ``UnstableLog`` tail, plus the commit
/// and apply cursors.
///
/// Invariants: `snapshotIndex <= applied <= committed <= lastIndex`, where `applied` is what the owner acknowledged
/// through ``RawNode/advance(_:)``.
struct RaftLog {
    let storage: any Storage
    private(set) var unstable: UnstableLog
    private(set) var committed: UInt64
    private(set) var applied: UInt64
    /// The last committed index handed out in a ``Ready`` not yet advanced (equal to `applied` otherwise).
    private(set) var appliedHandedOut: UInt64
    let maxCommittedBytesPerReady: Int

    init(storage: any Storage, maxCommittedBytesPerReady: Int) {
        self.storage = storage
        let first = storage.firstIndex()
        self.unstable = UnstableLog(offset: storage.lastIndex() + 1)
        self.committed = first - 1
        self.applied = first - 1
        self.appliedHandedOut = first - 1
        self.maxCommittedBytesPerReady = maxCommittedBytesPerReady
    }

    var firstIndex: UInt64 {
        self.unstable.firstIndexIfKnown ?? self.storage.firstIndex()
    }

    /// The last index. Once the unstable tail is empty, the durable log ends right before its offset: the owner
    /// persisted exactly what it was handed, so storage need not be asked.
    var lastIndex: UInt64 {
        self.unstable.lastIndexIfKnown ?? self.unstable.offset - 1
    }

    /// The last index known durable and still part of this log: what a leader may count as its own match.
    var persistedLastIndex: UInt64 {
        self.unstable.snapshot != nil ? 0 : self.unstable.offset - 1
    }

    var lastTerm: UInt64 {
        do {
            return try self.term(at: self.lastIndex)
        } catch {
            preconditionFailure("the last entry's term is unknown: \(error)")
        }
    }

    /// The term of the entry at `index`, from the snapshot's index up to the last index.
    ///
    /// - Throws: ``StorageError/compacted`` or ``StorageError/unavailable`` outside that range.
    func term(at index: UInt64) throws(StorageError) -> UInt64 {
        if let term = self.unstable.term(at: index) { return term }
        if index > self.lastIndex { throw .unavailable }
        // Below a pending snapshot everything counts as compacted; storage still holds the log it replaces.
        if let snapshot = self.unstable.snapshot, index < snapshot.metadata.index { throw .compacted }
        return try self.storage.term(index)
    }

    /// The term at `index`, or zero when it is compacted or beyond the log.
    func termOrZero(at index: UInt64) -> UInt64 {
        (try? self.term(at: index)) ?? 0
    }

    func matchTerm(index: UInt64, term: UInt64) -> Bool {
        guard let actual = try? self.term(at: index) else { return false }
        return actual == term
    }

    /// Raft §5.4.1: a log is at least as up to date as ours if its last term is greater, or equal with an index at
    /// least ours.
    func isUpToDate(lastIndex: UInt64, term: UInt64) -> Bool {
        let ourTerm = self.lastTerm
        return term > ourTerm || (term == ourTerm && lastIndex >= self.lastIndex)
    }

    /// The entries in `lo ..< hi` limited to `maxBytes` (at least one), read from storage and the unstable tail.
    ///
    /// - Throws: ``StorageError/compacted`` when `lo` is below the first index.
    func entries(lo: UInt64, hi: UInt64, maxBytes: Int) throws(StorageError) -> [Entry] {
        precondition(lo <= hi && hi <= self.lastIndex + 1, "slice [\(lo), \(hi)) beyond last index \(self.lastIndex)")
        if lo < self.firstIndex { throw .compacted }
        if lo == hi { return [] }
        let boundary = self.unstable.offset
        if lo >= boundary {
            let slice = self.unstable.slice(lo, hi)
            let count = EntryLimits.prefixCount(of: slice, maxBytes: maxBytes)
            return self.unstable.array(lo, lo + UInt64(count))
        }
        var stored = try self.storage.entries(lo: lo, hi: min(hi, boundary), maxBytes: maxBytes)
        if hi <= boundary || UInt64(stored.count) < boundary - lo { return stored }
        let used = stored.reduce(0) { $0 + $1.byteSize }
        let tail = self.unstable.slice(boundary, hi)
        let extra = EntryLimits.prefixCount(of: tail, maxBytes: maxBytes - used)
        if used + (tail.first?.byteSize ?? 0) <= maxBytes {
            stored.append(contentsOf: tail.prefix(extra))
        }
        return stored
    }

    /// Raft §5.3: the index of the first entry that conflicts with ours (same index, other term), or of the first
    /// one beyond our log; nil when every entry is already present.
    func firstConflict<C: Collection>(in entries: C) -> UInt64? where C.Element == Entry {
        for entry in entries where !self.matchTerm(index: entry.index, term: entry.term) {
            return entry.index
        }
        return nil
    }

    /// The greatest index at or below `index` whose term is at most `term`, with that term: where our log can
    /// possibly match a leader's whose entry at `index` has `term`. Skips whole terms of a divergent tail at once.
    func lastIndexWithTermAtMost(index: UInt64, term: UInt64) -> (index: UInt64, term: UInt64) {
        var candidate = index
        while candidate > 0 {
            guard let found = try? self.term(at: candidate) else { return (candidate, 0) }
            if found <= term { return (candidate, found) }
            candidate -= 1
        }
        return (0, 0)
    }

    /// Raft §5.3, receiver side of AppendEntries: if our entry at `index` has `logTerm`, appends `entries` (dropping
    /// a conflicting suffix), advances the commit to `min(committed, last new index)` and returns that last index.
    mutating func maybeAppend(index: UInt64, logTerm: UInt64, committed: UInt64, entries: [Entry]) -> UInt64? {
        guard self.matchTerm(index: index, term: logTerm) else { return nil }
        let lastNew = index + UInt64(entries.count)
        if let conflict = self.firstConflict(in: entries) {
            precondition(conflict > self.committed,
                         "entry \(conflict) conflicts with a committed entry (committed \(self.committed))")
            let start = Int(conflict - (index + 1))
            if start == 0 {
                self.unstable.truncateAndAppend(entries)
            } else {
                self.unstable.truncateAndAppend(entries[start...])
            }
        }
        self.commit(to: min(committed, lastNew))
        return lastNew
    }

    /// Appends entries after the last, or overwrites an uncommitted suffix.
    mutating func append(_ entries: [Entry]) {
        guard let first = entries.first else { return }
        precondition(first.index > self.committed,
                     "append at \(first.index) would overwrite committed \(self.committed)")
        self.unstable.truncateAndAppend(entries)
    }

    /// Appends one entry right after the last: a leader's proposal.
    mutating func appendOne(_ entry: Entry) {
        precondition(entry.index == self.lastIndex + 1, "leader append at \(entry.index) after \(self.lastIndex)")
        self.unstable.append(entry)
    }

    mutating func commit(to index: UInt64) {
        guard index > self.committed else { return }
        precondition(index <= self.lastIndex,
                     "commit \(index) beyond last index \(self.lastIndex): was the log corrupted, truncated or lost?")
        self.committed = index
    }

    /// Raft §5.4.2: commits `index` only if its entry is from `term`, the leader's current term.
    mutating func maybeCommit(index: UInt64, term: UInt64) -> Bool {
        guard index > self.committed, self.termOrZero(at: index) == term else { return false }
        self.commit(to: index)
        return true
    }

    mutating func setCommitted(_ index: UInt64) {
        precondition(index >= self.committed && index <= self.lastIndex,
                     "hard state commit \(index) out of range [\(self.committed), \(self.lastIndex)]")
        self.committed = index
    }

    mutating func applied(to index: UInt64) {
        precondition(index >= self.applied && index <= self.committed,
                     "applied \(index) out of range [\(self.applied), \(self.committed)]")
        self.applied = index
        self.appliedHandedOut = index
    }

    /// Whether committed entries (or a snapshot standing for them) wait to be handed out for applying.
    var hasCommittedEntriesToApply: Bool {
        self.committed > self.appliedHandedOut
    }

    /// Hands out the committed entries not yet handed out, up to the per-Ready byte limit.
    mutating func takeCommittedEntries() -> [Entry] {
        precondition(self.appliedHandedOut + 1 >= self.firstIndex || self.unstable.snapshot != nil,
                     "entries from \(self.appliedHandedOut + 1) were compacted before being applied")
        let lo = max(self.appliedHandedOut + 1, self.firstIndex)
        guard self.committed >= lo else { return [] }
        do {
            let entries = try self.recentlyStableEntries(lo: lo, hi: self.committed + 1)
                ?? self.entries(lo: lo, hi: self.committed + 1, maxBytes: self.maxCommittedBytesPerReady)
            self.appliedHandedOut = lo + UInt64(entries.count) - 1
            return entries
        } catch {
            preconditionFailure("committed entries [\(lo), \(self.committed)] unreadable: \(error)")
        }
    }

    /// The committed entries in `lo ..< hi` from the batch last made stable, when it holds them all: the usual case,
    /// where a batch is appended in one Ready and committed by the next, costs no copy.
    private func recentlyStableEntries(lo: UInt64, hi: UInt64) -> [Entry]? {
        let batch = self.unstable.recentlyStable
        guard let first = batch.first, lo >= first.index, hi <= first.index + UInt64(batch.count),
              hi <= self.unstable.offset else { return nil }
        let window = batch[Int(lo - first.index)..<Int(hi - first.index)]
        let count = EntryLimits.prefixCount(of: window, maxBytes: self.maxCommittedBytesPerReady)
        if count == batch.count { return batch }
        return Array(window.prefix(count))
    }

    /// Notes that the owner holds the pending snapshot, which stands for everything up to its index.
    mutating func snapshotHandedOut(index: UInt64) {
        self.appliedHandedOut = max(self.appliedHandedOut, index)
    }

    func snapshot() throws(StorageError) -> Snapshot {
        if let pending = self.unstable.snapshot { return pending }
        return try self.storage.snapshot()
    }

    /// Replaces the log with a leader's snapshot; everything in it counts as committed.
    mutating func restore(_ snapshot: Snapshot) {
        self.committed = snapshot.metadata.index
        self.unstable.restore(snapshot)
    }

    mutating func takeEntriesToPersist() -> [Entry] { self.unstable.takeEntriesToPersist() }

    mutating func takeSnapshotToPersist() -> Snapshot? { self.unstable.takeSnapshotToPersist() }

    mutating func markStable(index: UInt64, term: UInt64) { self.unstable.markStable(index: index, term: term) }

    mutating func markSnapshotStable(index: UInt64) { self.unstable.markSnapshotStable(index: index) }
}
