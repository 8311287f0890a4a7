import Backend
import Lease
import Synchronization

/// The key index in the backend's `keyIndex` database, one `KeyIndexCodec` record per key, updated in
/// the same LMDB transactions as the key database: opening costs nothing, memory holds nothing, but
/// every put reads and rewrites its key's record and ranges decode records. docs/ARCHITECTURE.md has how it
/// compares with `MemoryKeyIndex`.
///
/// A meta marker says the database is maintained; a store opened with the in-memory index removes it,
/// and one opened with this index without it rebuilds the database from the key database.
final class PersistedKeyIndex: KeyIndexStore, @unchecked Sendable {
    private struct Staged {
        var index: KeyIndex?
        var lease: Int64
        let existed: Bool
    }

    static let marker = Array("keyIndexPersisted".utf8)
    /// Records written per apply while rebuilding.
    static let rebuildChunkCount = 10_000

    private let backend: Backend
    private let database: Database
    private let count: Atomic<Int>
    /// Apply thread: the changes of the write transaction in progress.
    private var staged: [[UInt8]: Staged] = [:]

    private init(backend: Backend, count: Int) {
        self.backend = backend
        database = backend.database("keyIndex")
        self.count = Atomic(count)
    }

    var keyCount: Int { count.load(ordering: .relaxed) }

    /// Opens the persisted index, rebuilding it from the key database when it is not maintained.
    static func open(backend: Backend, view: ReadView, leases: LeaseIndex) throws(BackendError) -> StoreRestore.Scan {
        let meta = backend.database("meta")
        let keyDatabase = backend.database("key")
        let lastRevision = try view.lastKey(keyDatabase).map { $0.withUnsafeBytes(RevisionKey.decode).main } ?? 1
        if try view.get(meta, marker) != nil {
            let index = PersistedKeyIndex(backend: backend, count: try view.committedEntryCount(backend.database("keyIndex")))
            var leaseByKey: [[UInt8]: Int64] = [:]
            if !leases.list().isEmpty {
                try view.scan(index.database) { key, value in
                    if let lease = KeyIndexCodec.decode(key: Array(key), value)?.lease, lease != 0 {
                        leaseByKey[Array(key)] = lease
                    }
                    return true
                }
            }
            return StoreRestore.Scan(index: index, lastRevision: lastRevision, leaseByKey: leaseByKey, corruptRevision: nil)
        }
        let rebuilt = try StoreRestore.scanKeyDatabase(view, keyDatabase)
        if let corrupt = rebuilt.corruptRevision {
            return StoreRestore.Scan(index: PersistedKeyIndex(backend: backend, count: 0), lastRevision: 0, leaseByKey: [:], corruptRevision: corrupt)
        }
        let index = PersistedKeyIndex(backend: backend, count: rebuilt.entries.count)
        try index.replaceContents(with: rebuilt.entries, leases: rebuilt.leaseByKey, view: view)
        try backend.writer.apply([.put(meta, key: marker, value: [1])])
        try backend.writer.commit()
        return StoreRestore.Scan(index: index, lastRevision: rebuilt.lastRevision, leaseByKey: rebuilt.leaseByKey, corruptRevision: nil)
    }

    /// Drops the marker, so that a later open with this index rebuilds it.
    static func forget(backend: Backend, view: ReadView) throws(BackendError) {
        let meta = backend.database("meta")
        if try view.get(meta, marker) != nil {
            try backend.writer.apply([.delete(meta, key: marker)])
            try backend.writer.commit()
        }
    }

    private func replaceContents(with entries: [KeyIndex], leases: [[UInt8]: Int64], view: ReadView) throws(BackendError) {
        var stale: [[UInt8]] = []
        try view.scan(database) { key, _ in
            stale.append(Array(key))
            return true
        }
        for chunk in stride(from: 0, to: stale.count, by: Self.rebuildChunkCount) {
            try backend.writer.apply(stale[chunk..<min(chunk + Self.rebuildChunkCount, stale.count)].map { .delete(database, key: $0) })
            try backend.writer.commit()
        }
        for chunk in stride(from: 0, to: entries.count, by: Self.rebuildChunkCount) {
            let slice = entries[chunk..<min(chunk + Self.rebuildChunkCount, entries.count)]
            try backend.writer.apply(slice.map { .put(database, key: $0.key, value: KeyIndexCodec.encode($0, lease: leases[$0.key] ?? 0)) })
            try backend.writer.commit()
        }
    }

    // MARK: Reads

    func get(_ key: [UInt8], atRev: Int64, view: ReadView?) throws(BackendError) -> KeyIndexHit? {
        guard let hit = try keyIndex(key, view: view)?.get(atRev: atRev) else { return nil }
        return KeyIndexHit(modified: hit.modified, created: hit.created, version: hit.version)
    }

    func revisions(in range: KeyRange, atRev: Int64, limit: Int, view: ReadView?) throws(BackendError) -> (revisions: [Revision], total: Int) {
        var revisions: [Revision] = []
        var total = 0
        try visit(range, view: view) { entry in
            if let hit = entry.get(atRev: atRev) {
                total += 1
                if limit <= 0 || revisions.count < limit {
                    revisions.append(hit.modified)
                }
            }
        }
        return (revisions, total)
    }

    func keys(in range: KeyRange, atRev: Int64, view: ReadView?) throws(BackendError) -> [[UInt8]] {
        var keys: [[UInt8]] = []
        try visit(range, view: view) { entry in
            if entry.get(atRev: atRev) != nil {
                keys.append(entry.key)
            }
        }
        return keys
    }

    func keyIndex(_ key: [UInt8], view: ReadView?) throws(BackendError) -> KeyIndex? {
        if let view {
            return try view.withValue(database, key) { $0.flatMap { KeyIndexCodec.decode(key: key, $0)?.index } }
        }
        return try load(key)?.index
    }

    func hasKeep(atRev: Int64, view: ReadView?) throws(BackendError) -> Bool {
        var found = false
        try visit(KeyRange(key: [], end: []), view: view) { entry in
            if !found, entry.keep(atRev: atRev) != nil {
                found = true
            }
        }
        return found
    }

    // MARK: Writes

    func put(_ key: [UInt8], _ revision: Revision, lease: Int64) throws(BackendError) {
        var entry = try stagedEntry(key)
        var index = entry.index ?? KeyIndex(key: key)
        index.put(revision)
        entry.index = index
        entry.lease = lease
        staged[key] = entry
    }

    func tombstone(_ key: [UInt8], _ revision: Revision) throws(BackendError) -> Bool {
        var entry = try stagedEntry(key)
        guard var index = entry.index, index.tombstone(revision) else { return false }
        entry.index = index
        entry.lease = 0
        staged[key] = entry
        return true
    }

    func pendingMutations() -> [Mutation] {
        staged.map { key, entry in
            if let index = entry.index {
                return .put(database, key: key, value: KeyIndexCodec.encode(index, lease: entry.lease))
            }
            return .delete(database, key: key)
        }
    }

    func commitPending() {
        let change = staged.values.reduce(0) { total, entry in
            total + (entry.existed ? 0 : 1) - (entry.existed && entry.index == nil ? 1 : 0)
        }
        count.add(change, ordering: .relaxed)
        staged.removeAll(keepingCapacity: true)
    }

    func rollbackPending() {
        staged.removeAll(keepingCapacity: true)
    }

    func compact(atRev: Int64, from start: [UInt8], limit: Int) throws(BackendError) -> (next: [UInt8]?, mutations: [Mutation]) {
        var mutations: [Mutation] = []
        var next: [UInt8]?
        var scanned = 0
        try backend.writer.scan(database, from: start) { keyBytes, value in
            guard scanned < limit else {
                next = Array(keyBytes)
                return false
            }
            scanned += 1
            let key = Array(keyBytes)
            guard let decoded = KeyIndexCodec.decode(key: key, value) else { return true }
            var index = decoded.index
            index.compact(atRev: atRev)
            if index.isEmpty {
                mutations.append(.delete(database, key: key))
            } else {
                mutations.append(.put(database, key: key, value: KeyIndexCodec.encode(index, lease: decoded.lease)))
            }
            return true
        }
        count.subtract(mutations.filter { $0.operation == .delete }.count, ordering: .relaxed)
        return (next, mutations)
    }

    // MARK: Helpers

    private func stagedEntry(_ key: [UInt8]) throws(BackendError) -> Staged {
        if let entry = staged[key] {
            return entry
        }
        let stored = try load(key)
        return Staged(index: stored?.index, lease: stored?.lease ?? 0, existed: stored != nil)
    }

    /// The writer's view of a record: staged, else as applied so far.
    private func load(_ key: [UInt8]) throws(BackendError) -> (index: KeyIndex, lease: Int64)? {
        if let entry = staged[key] {
            return entry.index.map { ($0, entry.lease) }
        }
        return try backend.writer.withValue(database, key) { $0.flatMap { KeyIndexCodec.decode(key: key, $0) } }
    }

    /// Calls `body` with each record of `range` in key order, through `view` or as the writer sees it.
    private func visit(_ range: KeyRange, view: ReadView?, _ body: (KeyIndex) -> Void) throws(BackendError) {
        if range.isSingleKey {
            if let entry = try keyIndex(range.key, view: view) {
                body(entry)
            }
            return
        }
        let end = range.end.flatMap { $0.isEmpty ? nil : $0 }
        if let view {
            try view.scan(database, from: range.key, to: end) { key, value in
                if let entry = KeyIndexCodec.decode(key: Array(key), value)?.index {
                    body(entry)
                }
                return true
            }
            return
        }
        var entries: [[UInt8]: KeyIndex] = [:]
        try backend.writer.scan(database, from: range.key, to: end) { key, value in
            let key = Array(key)
            entries[key] = KeyIndexCodec.decode(key: key, value)?.index
            return true
        }
        for (key, entry) in staged where range.contains(key) {
            entries[key] = entry.index
        }
        for key in entries.keys.sorted(by: Bytes.less) {
            body(entries[key]!)
        }
    }
}
