/// The tail of the log not yet known to be durable: entries (and possibly a snapshot from the leader) that the
/// owner has not yet persisted, or has been handed in a ``Ready`` it has not yet advanced.
///
/// Example: storage holds 1...7, `offset` is 8 and `entries` are 8, 9, 10. A ``Ready`` hands out 8...10
/// (`handedOutCount` becomes 3); a proposal appends 11; `advance` marks 10 stable, so `entries` becomes [11] and
/// `offset` 11. When a new leader overwrites from index 9, `entries` becomes [8, 9'] and `handedOutCount` shrinks
/// to 1, so 9' goes out in the next ``Ready``.
///
/// The common case costs no copies: when nothing was handed out, the ``Ready`` takes `entries` itself (sharing its
/// storage), `advance` drops it whole, and the next ``Ready`` hands the same storage out again as committed entries.
struct UnstableLog {
    /// A snapshot received from the leader and not yet persisted; it precedes `entries`.
    private(set) var snapshot: Snapshot?
    private(set) var snapshotHandedOut = false
    private(set) var entries: [Entry] = []
    /// The index of `entries[0]` (or where it will be).
    private(set) var offset: UInt64
    /// How many of `entries`, from the front, the outstanding ``Ready`` carries.
    private(set) var handedOutCount = 0
    /// The size of the last batch made stable, to size the next one's storage in one allocation.
    private var capacityHint = 0
    /// The last batch made stable as a whole, kept so that it can be handed out again for applying once committed
    /// without copying it out of storage. Cleared whenever entries in its range may be replaced.
    private(set) var recentlyStable: [Entry] = []

    init(offset: UInt64) {
        self.offset = offset
    }

    /// The first index after a pending snapshot, if there is one.
    var firstIndexIfKnown: UInt64? {
        self.snapshot.map { $0.metadata.index + 1 }
    }

    /// The last index held here, if anything is held.
    var lastIndexIfKnown: UInt64? {
        if !self.entries.isEmpty { return self.offset + UInt64(self.entries.count) - 1 }
        return self.snapshot?.metadata.index
    }

    /// The term at `index` if this tail knows it.
    func term(at index: UInt64) -> UInt64? {
        if index < self.offset {
            if let snapshot = self.snapshot, snapshot.metadata.index == index { return snapshot.metadata.term }
            return nil
        }
        let position = index - self.offset
        guard position < UInt64(self.entries.count) else { return nil }
        return self.entries[Int(position)].term
    }

    /// The entries in `lo ..< hi`, which must lie within this tail.
    func slice(_ lo: UInt64, _ hi: UInt64) -> ArraySlice<Entry> {
        let end = self.offset + UInt64(self.entries.count)
        precondition(lo >= self.offset && lo <= hi && hi <= end,
                     "unstable slice [\(lo), \(hi)) out of [\(self.offset), \(end))")
        return self.entries[Int(lo - self.offset)..<Int(hi - self.offset)]
    }

    /// The entries in `lo ..< hi` as an array, sharing storage when they are the whole tail.
    func array(_ lo: UInt64, _ hi: UInt64) -> [Entry] {
        if lo == self.offset && hi == self.offset + UInt64(self.entries.count) { return self.entries }
        return Array(self.slice(lo, hi))
    }

    /// Whether entries or a snapshot wait to be handed out in a ``Ready``.
    var hasUnhandedState: Bool {
        self.handedOutCount < self.entries.count || (self.snapshot != nil && !self.snapshotHandedOut)
    }

    /// Hands out the entries not yet handed out, marking them as carried by the outstanding ``Ready``.
    mutating func takeEntriesToPersist() -> [Entry] {
        let start = self.handedOutCount
        self.handedOutCount = self.entries.count
        if start == 0 { return self.entries }
        return Array(self.entries[start...])
    }

    /// Hands out the pending snapshot if it has not been handed out yet.
    mutating func takeSnapshotToPersist() -> Snapshot? {
        guard let snapshot = self.snapshot, !self.snapshotHandedOut else { return nil }
        self.snapshotHandedOut = true
        return snapshot
    }

    /// Drops the entries up to `index` now that they are durable, if the entry at `index` still has `term` (it may
    /// have been overwritten since it was handed out, and then it must be persisted again).
    mutating func markStable(index: UInt64, term: UInt64) {
        guard index >= self.offset, self.term(at: index) == term else { return }
        let count = Int(index + 1 - self.offset)
        if count == self.entries.count {
            // The Ready holds the old storage; the next batch starts a new one sized like this one.
            self.capacityHint = count
            self.recentlyStable = self.entries
            self.entries = []
        } else {
            self.recentlyStable = []
            self.entries.removeFirst(count)
        }
        self.offset = index + 1
        self.handedOutCount = max(0, self.handedOutCount - count)
    }

    /// Drops the pending snapshot now that it is durable.
    mutating func markSnapshotStable(index: UInt64) {
        guard let snapshot = self.snapshot, snapshot.metadata.index == index else { return }
        self.snapshot = nil
        self.snapshotHandedOut = false
    }

    /// Replaces the whole tail with a snapshot from the leader.
    mutating func restore(_ snapshot: Snapshot) {
        self.recentlyStable = []
        self.offset = snapshot.metadata.index + 1
        self.entries = []
        self.handedOutCount = 0
        self.snapshot = snapshot
        self.snapshotHandedOut = false
    }

    /// Appends one entry right after the last.
    mutating func append(_ entry: Entry) {
        precondition(entry.index == self.offset + UInt64(self.entries.count), "unstable append out of order")
        if self.entries.isEmpty { self.entries.reserveCapacity(self.capacityHint) }
        self.entries.append(entry)
    }

    /// Appends entries, first discarding everything from the first new index on.
    mutating func truncateAndAppend<C: Collection>(_ newEntries: C) where C.Element == Entry {
        guard let first = newEntries.first else { return }
        let end = self.offset + UInt64(self.entries.count)
        if first.index == end && self.entries.isEmpty {
            // Shares the incoming message's storage instead of copying it.
            self.entries = Array(newEntries)
        } else if first.index == end {
            self.entries.append(contentsOf: newEntries)
        } else if first.index <= self.offset {
            if let last = self.recentlyStable.last, last.index >= first.index { self.recentlyStable = [] }
            self.offset = first.index
            self.entries = Array(newEntries)
            self.handedOutCount = 0
        } else {
            precondition(first.index < end, "unstable append leaves a gap at \(end)")
            let keep = Int(first.index - self.offset)
            self.entries.removeSubrange(keep...)
            self.entries.append(contentsOf: newEntries)
            self.handedOutCount = min(self.handedOutCount, keep)
        }
    }
}
