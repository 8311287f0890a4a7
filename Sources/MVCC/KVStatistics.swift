import Synchronization

/// Running counts of what a store did, for etcd's `etcd_mvcc_*` metrics: ranges, puts, deletes and
/// multi-operation transactions seen, bytes put, the number of live keys, and the watch events handed to
/// watch streams' senders and still waiting in their queues. Counting follows etcd's
/// `metricsTxnWrite`: every range, put and delete-range call inside a write transaction counts, and the
/// transaction counts as a txn when it made more than one of them.
///
/// One instance may outlive a store (a follower that installs a snapshot reopens its store with the same
/// statistics), so the counters never go backwards; the live key count is reset when a store opens.
/// Threading: any thread.
public final class KVStatistics: Sendable {
    private let ranges = Atomic<Int>(0)
    private let puts = Atomic<Int>(0)
    private let deletes = Atomic<Int>(0)
    private let txns = Atomic<Int>(0)
    private let putBytes = Atomic<Int>(0)
    private let keys = Atomic<Int>(0)
    private let eventsSent = Atomic<Int>(0)
    private let eventsPending = Atomic<Int>(0)

    /// Empty statistics.
    public init() {}

    public var rangeCount: Int { ranges.load(ordering: .relaxed) }
    public var putCount: Int { puts.load(ordering: .relaxed) }
    public var deleteCount: Int { deletes.load(ordering: .relaxed) }
    public var txnCount: Int { txns.load(ordering: .relaxed) }
    /// The keys and values of every put, in bytes.
    public var putByteCount: Int { putBytes.load(ordering: .relaxed) }
    /// Keys that exist at the current revision.
    public var liveKeyCount: Int { keys.load(ordering: .relaxed) }
    /// Watch events taken by their stream's sender to go to the client.
    public var sentEventCount: Int { eventsSent.load(ordering: .relaxed) }
    /// Watch events queued for their stream's sender and not yet taken (nor dropped with their watch).
    public var pendingEventCount: Int { eventsPending.load(ordering: .relaxed) }

    func countRead() {
        ranges.add(1, ordering: .relaxed)
    }

    /// Adds the operations of one write transaction.
    func countWrite(ranges: Int, puts: Int, deletes: Int, putBytes: Int, keysCreated: Int, keysDeleted: Int) {
        if ranges + puts + deletes > 1 { txns.add(1, ordering: .relaxed) }
        if ranges > 0 { self.ranges.add(ranges, ordering: .relaxed) }
        if puts > 0 { self.puts.add(puts, ordering: .relaxed) }
        if deletes > 0 { self.deletes.add(deletes, ordering: .relaxed) }
        if putBytes > 0 { self.putBytes.add(putBytes, ordering: .relaxed) }
        if keysCreated != keysDeleted { keys.add(keysCreated - keysDeleted, ordering: .relaxed) }
    }

    /// Counts `count` watch events queued for a stream's sender.
    func countEventsQueued(_ count: Int) {
        if count > 0 { eventsPending.add(count, ordering: .relaxed) }
    }

    /// Counts `count` watch events the sender took: `queued` of them had waited in the queue.
    func countEventsSent(_ count: Int, queued: Bool) {
        guard count > 0 else { return }
        if queued { eventsPending.subtract(count, ordering: .relaxed) }
        eventsSent.add(count, ordering: .relaxed)
    }

    /// Counts `count` queued watch events dropped unsent, with their watch or their stream.
    func countEventsDropped(_ count: Int) {
        if count > 0 { eventsPending.subtract(count, ordering: .relaxed) }
    }

    func resetLiveKeys(_ count: Int) {
        keys.store(count, ordering: .relaxed)
    }
}
