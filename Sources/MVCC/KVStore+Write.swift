import Backend
import EtcdProto

extension KVStore {
    /// Runs `body` in one write transaction and ends it: everything `body` did is applied atomically,
    /// or, when `body` or the backend throws, undone. Apply thread.
    func write<R>(_ body: (WriteTransaction) throws(KVError) -> R) throws(KVError) -> (result: R, revision: Int64) {
        precondition(!writeInProgress, "nested MVCC write transactions")
        writeInProgress = true
        defer { writeInProgress = false }
        let transaction = WriteTransaction(store: self, beginRevision: currentRevision)
        let result: R
        do {
            result = try body(transaction)
        } catch {
            transaction.abort()
            throw error
        }
        let revision = try transaction.end()
        return (result, revision)
    }

    /// Puts `value` under `key`, attached to `lease` (0 for none). Returns the new revision. Apply
    /// thread. Throws `leaseNotFound` for an unknown lease, or the backend's error, changing nothing.
    @discardableResult
    public func put(_ key: [UInt8], value: [UInt8], lease: Int64 = 0) throws(KVError) -> Int64 {
        guard !key.isEmpty else { throw .emptyKey }
        return try write { transaction throws(KVError) in
            try transaction.put(key, value: value, lease: lease)
        }.revision
    }

    /// Deletes the keys of `range`. Returns how many, and the store's revision afterwards (unchanged
    /// when nothing was deleted). Apply thread.
    @discardableResult
    public func deleteRange(_ range: KeyRange) throws(KVError) -> (deleted: Int64, revision: Int64) {
        guard !range.key.isEmpty else { throw .emptyKey }
        let outcome = try write { transaction throws(KVError) in
            try transaction.deleteRange(range).deleted
        }
        return (outcome.result, outcome.revision)
    }

    /// Revokes lease `id`: deletes its keys (in key order, so every member writes the same history) and
    /// its record in one transaction. Returns the store's revision afterwards. Apply thread. Throws
    /// `leaseNotFound` when the lease does not exist.
    @discardableResult
    public func revokeLease(_ id: Int64) throws(KVError) -> Int64 {
        guard let keys = leases.keys(of: id) else { throw .leaseNotFound }
        let leases = leases
        return try write { transaction throws(KVError) in
            for key in keys {
                try transaction.deleteRange(KeyRange(key: key))
            }
            transaction.addMutation(leases.recordDeletion(id))
            transaction.onApplied { leases.remove(id) }
        }.revision
    }

    /// Publishes a committed transaction: makes `revision` current and notifies watchers, atomically
    /// with respect to watch registration.
    func publish(revision: Int64, changes: [Mvccpb_KeyValue]) {
        var events: [Mvccpb_Event] = []
        events.reserveCapacity(changes.count)
        for change in changes {
            var event = Mvccpb_Event()
            if change.createRevision == 0 {
                event.type = .delete
                var keyValue = change
                keyValue.modRevision = revision
                event.kv = keyValue
            } else {
                event.type = .put
                event.kv = change
            }
            events.append(event)
        }
        watchHub.notify(revision: revision, events: events) {
            advance(to: revision)
        }
    }
}
