import Backend
import Lease

/// Rebuilds the store's state from the backend on open.
enum StoreRestore {
    struct Outcome {
        var index: any KeyIndexStore
        var currentRevision: Int64
        var compactedRevision: Int64
        var scheduledCompaction: Int64?
        var consistentIndex: ConsistentIndex
    }

    static func run(backend: Backend, leases: LeaseIndex, kind: KeyIndexKind) throws(KVError) -> Outcome {
        try load(backend: backend, leases: leases, kind: kind).get()
    }

    private static func load(
        backend: Backend, leases: LeaseIndex, kind: KeyIndexKind
    ) throws(KVError) -> Result<Outcome, KVError> {
        let view: ReadView
        do {
            view = try backend.read()
        } catch {
            throw .backend(error)
        }
        defer { view.close() }
        do throws(BackendError) {
            let meta = backend.database("meta")
            let finished = try view.withValue(meta, MetaKeys.finishedCompactRevision) { $0.map(RevisionKey.decode)?.main }
            let scheduled = try view.withValue(meta, MetaKeys.scheduledCompactRevision) { $0.map(RevisionKey.decode)?.main }
            let index = try view.withValue(meta, MetaKeys.consistentIndex) { $0.map { Bytes.readBigEndian($0) } } ?? 0
            let term = try view.withValue(meta, MetaKeys.term) { $0.map { Bytes.readBigEndian($0) } } ?? 0
            let compacted = finished ?? -1
            let scan: Scan
            if kind == .persisted {
                scan = try PersistedKeyIndex.open(backend: backend, view: view, leases: leases)
            } else {
                try PersistedKeyIndex.forget(backend: backend, view: view)
                let rebuilt = try scanKeyDatabase(view, backend.database("key"))
                scan = Scan(
                    index: MemoryKeyIndex(sorted: rebuilt.entries), lastRevision: rebuilt.lastRevision,
                    leaseByKey: rebuilt.leaseByKey, corruptRevision: rebuilt.corruptRevision)
            }
            if let corrupt = scan.corruptRevision {
                return .failure(.corrupt("the value at revision \(corrupt) is not a KeyValue"))
            }
            for (key, lease) in scan.leaseByKey {
                leases.attach(key, to: lease)
            }
            var outcome = Outcome(
                index: scan.index, currentRevision: max(scan.lastRevision, compacted), compactedRevision: compacted,
                scheduledCompaction: nil, consistentIndex: ConsistentIndex(index: index, term: term))
            if let scheduled, scheduled > compacted {
                outcome.compactedRevision = scheduled
                outcome.scheduledCompaction = scheduled
                // A compaction is only ever scheduled at a revision the store reached; a restore with
                // `--bump-revision --mark-compacted` schedules one past the last change in the history.
                outcome.currentRevision = max(outcome.currentRevision, scheduled)
            }
            return .success(outcome)
        } catch {
            throw .backend(error)
        }
    }

    struct Scan {
        var index: any KeyIndexStore
        var lastRevision: Int64
        var leaseByKey: [[UInt8]: Int64]
        var corruptRevision: Revision?
    }

    /// What a scan of the key database rebuilds.
    struct Rebuilt {
        var entries: [KeyIndex]
        var lastRevision: Int64
        var leaseByKey: [[UInt8]: Int64]
        var corruptRevision: Revision?
    }

    /// Replays the key database in revision order into key indexes (sorted by key), as etcd's
    /// `restoreIntoIndex` does: a key first seen at a put starts from that put's creation revision and
    /// version (older history is compacted); a tombstone of an unknown key is skipped.
    static func scanKeyDatabase(_ view: ReadView, _ database: Database) throws(BackendError) -> Rebuilt {
        var entries: [KeyIndex] = []
        var positions: [HashedBytes: Int] = [:]
        var leases: [HashedBytes: Int64] = [:]
        var lastRevision: Int64 = 1
        var corrupt: Revision?
        positions.reserveCapacity(try view.committedEntryCount(database))
        try view.scan(database) { revisionBytes, valueBytes in
            let revision = RevisionKey.decode(revisionBytes)
            guard let fields = KeyValueFields(valueBytes) else {
                corrupt = revision
                return false
            }
            let tombstone = RevisionKey.isTombstone(revisionBytes)
            let key = HashedBytes(fields.key)
            lastRevision = revision.main
            if !tombstone, fields.lease != 0 {
                leases[key] = fields.lease
            } else if !leases.isEmpty {
                leases[key] = nil
            }
            if let position = positions[key] {
                if tombstone {
                    _ = entries[position].tombstone(revision)
                } else {
                    entries[position].put(revision)
                }
            } else if !tombstone {
                var entry = KeyIndex(key: fields.key)
                entry.restore(created: Revision(main: fields.createRevision), modified: revision, version: fields.version)
                positions[key] = entries.count
                entries.append(entry)
            }
            return true
        }
        var leaseByKey: [[UInt8]: Int64] = [:]
        for (key, lease) in leases {
            leaseByKey[key.bytes] = lease
        }
        guard corrupt == nil else {
            return Rebuilt(entries: [], lastRevision: lastRevision, leaseByKey: [:], corruptRevision: corrupt)
        }
        positions.removeAll()
        let sorted = reordered(&entries, by: Bytes.sortedOrder(of: entries.map(\.key)))
        return Rebuilt(entries: sorted, lastRevision: lastRevision, leaseByKey: leaseByKey, corruptRevision: nil)
    }

    /// The elements of `elements` in the order `order` gives (position i gets the element at `order[i]`),
    /// moved rather than copied: a million key indexes cost no reference counting. `elements` is left
    /// holding empty indexes. `order` must be a permutation of `elements`' indices.
    private static func reordered(_ elements: inout [KeyIndex], by order: [Int]) -> [KeyIndex] {
        precondition(order.count == elements.count, "the order is not a permutation of the elements")
        return elements.withUnsafeMutableBufferPointer { from in
            [KeyIndex](unsafeUninitializedCapacity: order.count) { to, initialized in
                guard let source = from.baseAddress, let target = to.baseAddress else { return }
                for (position, origin) in order.enumerated() {
                    (target + position).moveInitialize(from: source + origin, count: 1)
                }
                initialized = order.count
                // Every slot of `from` was moved out; give each a value again before `elements` is used.
                source.initialize(repeating: KeyIndex(key: []), count: from.count)
            }
        }
    }
}
