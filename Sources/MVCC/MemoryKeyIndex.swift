import Backend

/// The key index in memory, as etcd's `treeIndex`: rebuilt on open by scanning the key database,
/// shared by all readers under a read-write lock, mutated in place by the apply thread with an undo log
/// for the transaction in progress.
final class MemoryKeyIndex: KeyIndexStore, @unchecked Sendable {
    private enum Undo {
        case insertion([UInt8])
        case put([UInt8], previous: Revision)
        case tombstone([UInt8], previous: Revision)
    }

    private let lock = ReadWriteLock()
    private var map: KeyIndexMap
    /// Apply thread only.
    private var undoLog: [Undo] = []

    /// An index of `sorted`, which must be in ascending key order without duplicates.
    init(sorted: [KeyIndex]) {
        map = KeyIndexMap(sorted: sorted)
    }

    var keyCount: Int {
        lock.withReadLock { map.count }
    }

    func get(_ key: [UInt8], atRev: Int64, view: ReadView?) -> KeyIndexHit? {
        lock.withReadLock { lookup(key, atRev: atRev) }
    }

    func revisions(in range: KeyRange, atRev: Int64, limit: Int, view: ReadView?) -> (revisions: [Revision], total: Int) {
        lock.withReadLock {
            var revisions: [Revision] = []
            var total = 0
            visit(range) { entry in
                if let hit = entry.get(atRev: atRev) {
                    total += 1
                    if limit <= 0 || revisions.count < limit {
                        revisions.append(hit.modified)
                    }
                }
            }
            return (revisions, total)
        }
    }

    func keyIndex(_ key: [UInt8], view: ReadView?) -> KeyIndex? {
        lock.withReadLock { map.find(key).map { map[$0] } }
    }

    func hasKeep(atRev: Int64, view: ReadView?) -> Bool {
        lock.withReadLock {
            var found = false
            visit(KeyRange(key: [], end: [])) { entry in
                if !found, entry.keep(atRev: atRev) != nil {
                    found = true
                }
            }
            return found
        }
    }

    func keys(in range: KeyRange, atRev: Int64, view: ReadView?) -> [[UInt8]] {
        lock.withReadLock {
            var keys: [[UInt8]] = []
            visit(range) { entry in
                if entry.get(atRev: atRev) != nil {
                    keys.append(entry.key)
                }
            }
            return keys
        }
    }

    func put(_ key: [UInt8], _ revision: Revision, lease: Int64) {
        lock.withWriteLock {
            let position = map.lowerBound(key)
            if !map.isEnd(position), map[position].key == key {
                let previous = map.modify(at: position) { entry in
                    let previous = entry.modified
                    entry.put(revision)
                    return previous
                }
                undoLog.append(.put(key, previous: previous))
            } else {
                var entry = KeyIndex(key: key)
                entry.put(revision)
                map.insert(entry, at: position)
                undoLog.append(.insertion(key))
            }
        }
    }

    func tombstone(_ key: [UInt8], _ revision: Revision) -> Bool {
        lock.withWriteLock {
            guard let position = map.find(key) else { return false }
            let outcome = map.modify(at: position) { entry -> (Bool, Revision) in
                let previous = entry.modified
                return (entry.tombstone(revision), previous)
            }
            if outcome.0 {
                undoLog.append(.tombstone(key, previous: outcome.1))
            }
            return outcome.0
        }
    }

    func pendingMutations() -> [Mutation] { [] }

    func commitPending() {
        undoLog.removeAll(keepingCapacity: true)
    }

    func rollbackPending() {
        lock.withWriteLock {
            for undo in undoLog.reversed() {
                switch undo {
                case .insertion(let key):
                    if let position = map.find(key) {
                        map.remove(at: position)
                    }
                case .put(let key, let previous):
                    if let position = map.find(key) {
                        map.modify(at: position) { $0.undoPut(previousModified: previous) }
                    }
                case .tombstone(let key, let previous):
                    if let position = map.find(key) {
                        map.modify(at: position) { $0.undoTombstone(previousModified: previous) }
                    }
                }
            }
        }
        undoLog.removeAll(keepingCapacity: true)
    }

    func compact(atRev: Int64, from start: [UInt8], limit: Int) -> (next: [UInt8]?, mutations: [Mutation]) {
        lock.withWriteLock {
            var position = map.lowerBound(start)
            var processed = 0
            while !map.isEnd(position), processed < limit {
                let key = map[position].key
                let empty = map.modify(at: position) { entry -> Bool in
                    entry.compact(atRev: atRev)
                    return entry.isEmpty
                }
                if empty {
                    map.remove(at: position)
                    position = map.lowerBound(key)
                } else {
                    position = map.after(position)
                }
                processed += 1
            }
            return (map.isEnd(position) ? nil : map[position].key, [])
        }
    }

    private func lookup(_ key: [UInt8], atRev: Int64) -> KeyIndexHit? {
        guard let position = map.find(key), let hit = map[position].get(atRev: atRev) else { return nil }
        return KeyIndexHit(modified: hit.modified, created: hit.created, version: hit.version)
    }

    /// Calls `body` for each indexed key of `range`, in key order. Caller holds the lock.
    private func visit(_ range: KeyRange, _ body: (KeyIndex) -> Void) {
        if range.isSingleKey {
            if let position = map.find(range.key) {
                body(map[position])
            }
            return
        }
        var position = map.lowerBound(range.key)
        while !map.isEnd(position) {
            let entry = map[position]
            if let end = range.end, !end.isEmpty, !Bytes.less(entry.key, end) {
                return
            }
            body(entry)
            position = map.after(position)
        }
    }
}
