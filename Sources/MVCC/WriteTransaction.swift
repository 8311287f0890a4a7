import Backend
import EtcdProto
import Foundation

/// One atomic change of the store, as etcd's `storeTxnWrite`: every put and delete in it shares the
/// revision `beginRevision + 1` (with increasing sub-revisions), reads inside it see its own writes,
/// and `end` applies it all at once — or, when it changed nothing, leaves the revision alone.
///
/// Apply thread only; created by `KVStore.write`.
final class WriteTransaction {
    private enum LeaseUndo {
        case attached([UInt8], Int64)
        case detached([UInt8], Int64)
    }

    let store: KVStore
    /// The current revision when the transaction began.
    let beginRevision: Int64
    /// The changes made, in order: puts carry their new value, deletes only the key (etcd's tombstone
    /// `KeyValue`, with no create revision).
    private(set) var changes: [Mvccpb_KeyValue] = []
    private var mutations: [Mutation] = []
    private var leaseUndo: [LeaseUndo] = []
    private var afterApply: [() -> Void] = []
    /// Operations for `KVStatistics`, added when the transaction ends.
    private var counts = (ranges: 0, puts: 0, deletes: 0, putBytes: 0, keysCreated: 0, keysDeleted: 0)

    init(store: KVStore, beginRevision: Int64) {
        self.store = store
        self.beginRevision = beginRevision
    }

    /// The revision reads inside the transaction see: the next one once something changed.
    var readRevision: Int64 { changes.isEmpty ? beginRevision : beginRevision + 1 }

    /// The revision of the transaction's changes.
    var writeRevision: Int64 { beginRevision + 1 }

    /// Reads `range` as etcd's `storeTxnWrite.Range` does: at `readRevision` by default, seeing the
    /// transaction's own writes.
    func range(_ range: KeyRange, options: RangeOptions = RangeOptions()) throws(KVError) -> RangeResult {
        counts.ranges += 1
        let current = readRevision
        var revision = options.revision
        if revision > current {
            throw .futureRevision
        }
        if revision <= 0 {
            revision = current
        }
        if revision < store.compactedRevision {
            throw .compacted
        }
        let found: (revisions: [Revision], total: Int)
        do {
            let limit = options.countOnly ? 1 : Int(clamping: max(options.limit, 0))
            found = try store.index.revisions(in: range, atRev: revision, limit: limit, view: nil)
        } catch {
            throw .backend(error)
        }
        var keyValues: [Mvccpb_KeyValue] = []
        if !options.countOnly {
            for stored in found.revisions {
                keyValues.append(try value(at: stored))
            }
        }
        return RangeResult(kvs: keyValues, count: found.total, revision: current)
    }

    /// Puts `value` under `key` with `lease` (0 for none), which must exist. Returns the revision.
    @discardableResult
    func put(_ key: [UInt8], value: [UInt8], lease: Int64) throws(KVError) -> Int64 {
        guard lease == 0 || store.leases.contains(lease) else { throw .leaseNotFound }
        let revision = Revision(main: writeRevision, sub: Int64(changes.count))
        var created = writeRevision
        var version: Int64 = 1
        var oldLease: Int64?
        do {
            if let existing = try store.index.get(key, atRev: writeRevision, view: nil) {
                created = existing.created.main
                version = existing.version + 1
                oldLease = store.leases.lease(attachedTo: key)
            }
            try store.index.put(key, revision, lease: lease)
        } catch {
            throw .backend(error)
        }
        var keyValue = Mvccpb_KeyValue()
        keyValue.key = Data(key)
        keyValue.value = Data(value)
        keyValue.createRevision = created
        keyValue.modRevision = writeRevision
        keyValue.version = version
        keyValue.lease = lease
        mutations.append(.put(store.keyDatabase, key: RevisionKey.encode(revision), value: KeyValueCoding.encode(keyValue), appending: true))
        changes.append(keyValue)
        counts.puts += 1
        counts.putBytes += key.count + value.count
        if version == 1 { counts.keysCreated += 1 }
        if let oldLease {
            store.leases.detach(key, from: oldLease)
            leaseUndo.append(.detached(key, oldLease))
        }
        if lease != 0 {
            let attached = store.leases.attach(key, to: lease)
            precondition(attached, "lease \(lease) vanished during the transaction")
            leaseUndo.append(.attached(key, lease))
        }
        return writeRevision
    }

    /// Deletes the keys of `range` that exist; returns how many, and the revision (unchanged when the
    /// transaction has changed nothing so far and nothing was deleted).
    @discardableResult
    func deleteRange(_ range: KeyRange) throws(KVError) -> (deleted: Int64, revision: Int64) {
        let keys: [[UInt8]]
        do {
            keys = try store.index.keys(in: range, atRev: readRevision, view: nil)
        } catch {
            throw .backend(error)
        }
        for key in keys {
            try delete(key)
        }
        counts.deletes += 1
        counts.keysDeleted += keys.count
        if keys.isEmpty, changes.isEmpty {
            return (0, beginRevision)
        }
        return (Int64(keys.count), writeRevision)
    }

    /// Adds a backend write to apply with the transaction (for example a lease record's deletion).
    func addMutation(_ mutation: Mutation) {
        mutations.append(mutation)
    }

    /// Runs `action` once the transaction's writes were applied.
    func onApplied(_ action: @escaping () -> Void) {
        afterApply.append(action)
    }

    /// Applies the transaction's writes atomically and publishes its revision to readers and watchers.
    /// Returns the store's revision afterwards. On a backend failure everything is undone and the
    /// error thrown.
    func end() throws(KVError) -> Int64 {
        defer {
            store.statistics.countWrite(
                ranges: counts.ranges, puts: counts.puts, deletes: counts.deletes, putBytes: counts.putBytes,
                keysCreated: counts.keysCreated, keysDeleted: counts.keysDeleted
            )
        }
        guard !changes.isEmpty || !mutations.isEmpty else { return beginRevision }
        do {
            try store.backend.writer.apply(mutations + store.index.pendingMutations())
        } catch {
            abort()
            throw .backend(error)
        }
        store.index.commitPending()
        leaseUndo.removeAll()
        for action in afterApply {
            action()
        }
        guard !changes.isEmpty else { return beginRevision }
        store.publish(revision: writeRevision, changes: changes)
        return writeRevision
    }

    /// Undoes the in-memory effects of the transaction (index and lease attachments); nothing reached
    /// the backend.
    func abort() {
        store.index.rollbackPending()
        for undo in leaseUndo.reversed() {
            switch undo {
            case .attached(let key, let lease): store.leases.detach(key, from: lease)
            case .detached(let key, let lease): store.leases.attach(key, to: lease)
            }
        }
        leaseUndo.removeAll()
        changes.removeAll()
        mutations.removeAll()
        counts.keysCreated = 0
        counts.keysDeleted = 0
    }

    private func delete(_ key: [UInt8]) throws(KVError) {
        let revision = Revision(main: writeRevision, sub: Int64(changes.count))
        do {
            let deleted = try store.index.tombstone(key, revision)
            precondition(deleted, "the key index listed a live key it cannot tombstone")
        } catch {
            throw .backend(error)
        }
        let tombstone = KeyValueCoding.tombstone(key)
        mutations.append(.put(store.keyDatabase, key: RevisionKey.encode(revision, tombstone: true), value: KeyValueCoding.encode(tombstone), appending: true))
        changes.append(tombstone)
        if let lease = store.leases.lease(attachedTo: key) {
            store.leases.detach(key, from: lease)
            leaseUndo.append(.detached(key, lease))
        }
    }

    /// The stored value at `stored`: from the transaction's own changes when it is one of them,
    /// otherwise from the backend as the writer sees it.
    private func value(at stored: Revision) throws(KVError) -> Mvccpb_KeyValue {
        if stored.main == writeRevision {
            return changes[Int(stored.sub)]
        }
        let decoded: Mvccpb_KeyValue??
        do {
            decoded = try store.backend.writer.withValue(store.keyDatabase, RevisionKey.encode(stored)) {
                $0.map(KeyValueCoding.decode)
            }
        } catch {
            throw .backend(error)
        }
        guard let present = decoded else {
            preconditionFailure("the key index holds revision \(stored) but the key database does not")
        }
        guard let keyValue = present else {
            throw .corrupt("the value at revision \(stored) is not a KeyValue")
        }
        return keyValue
    }
}
