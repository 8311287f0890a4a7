import Backend
import Synchronization

/// The persisted leases and the keys attached to each, the storage half of etcd's lessor.
///
/// Records live in the backend's `lease` database in etcd's format; attachments (key <-> lease) are
/// kept in memory and rebuilt on open by MVCC, which owns them: a put with a lease attaches the key, an
/// overwrite or delete detaches it, and a revoke deletes the keys and the record in one MVCC
/// transaction. Expiry, keep-alives and leadership are the server's `Lessor`: this index
/// stores exactly what it is told.
///
/// Threading: the mutating methods (`grant`, `checkpoint`, `attach`, `detach`, `remove`) run on the
/// backend writer's thread, the apply thread; the queries may run on any thread.
public final class LeaseIndex: Sendable {
    /// etcd's `MaxLeaseTTL`: 9,000,000,000 seconds.
    public static let maxTTLSeconds: Int64 = 9_000_000_000

    private struct Entry {
        var record: LeaseRecord
        var keys: Set<[UInt8]> = []
    }

    private struct State {
        var leases: [Int64: Entry] = [:]
        var leaseByKey: [[UInt8]: Int64] = [:]
    }

    private let backend: Backend
    private let database: Database
    private let state: Mutex<State>

    /// Loads every lease record from the backend's `lease` database, with no keys attached yet.
    /// Throws when a record cannot be read or decoded.
    public init(backend: Backend) throws(LeaseError) {
        self.backend = backend
        database = backend.database("lease")
        var leases: [Int64: Entry] = [:]
        var corrupt: [UInt8]?
        do throws(BackendError) {
            let view = try backend.read()
            defer { view.close() }
            try view.scan(database) { key, value in
                guard let record = LeaseRecordCodec.decode(value) else {
                    corrupt = Array(key)
                    return false
                }
                leases[record.id] = Entry(record: record)
                return true
            }
        } catch {
            throw .backend(error)
        }
        if let corrupt {
            throw LeaseError(.corruptRecord(id: corrupt))
        }
        state = Mutex(State(leases: leases))
    }

    /// Grants lease `id` with `ttlSeconds` and persists it. Apply thread. Throws `notFound` for ID 0,
    /// `ttlTooLarge` above `maxTTLSeconds`, `alreadyExists` when the ID is in use, or the backend's
    /// error, changing nothing in every case.
    public func grant(id: Int64, ttlSeconds: Int64) throws(LeaseError) -> LeaseRecord {
        guard id != 0 else { throw .notFound }
        guard ttlSeconds <= Self.maxTTLSeconds else { throw .ttlTooLarge }
        guard !contains(id) else { throw .alreadyExists }
        let record = LeaseRecord(id: id, ttlSeconds: ttlSeconds)
        try persist(record)
        state.withLock { $0.leases[id] = Entry(record: record) }
        return record
    }

    /// Records a remaining-TTL checkpoint of lease `id` and persists it. Apply thread. A checkpoint of a
    /// lease that no longer exists is ignored, as etcd does.
    public func checkpoint(id: Int64, remainingTTLSeconds: Int64) throws(LeaseError) {
        guard var record = lookup(id) else { return }
        record.remainingTTLSeconds = remainingTTLSeconds
        try persist(record)
        state.withLock { $0.leases[id]?.record = record }
    }

    /// The record of lease `id`, or nil when it does not exist. Any thread.
    public func lookup(_ id: Int64) -> LeaseRecord? {
        state.withLock { $0.leases[id]?.record }
    }

    /// True when lease `id` exists. Any thread.
    public func contains(_ id: Int64) -> Bool {
        state.withLock { $0.leases[id] != nil }
    }

    /// Every lease, by ascending ID. Any thread.
    public func list() -> [LeaseRecord] {
        state.withLock { $0.leases.values.map(\.record) }.sorted { $0.id < $1.id }
    }

    /// The keys attached to lease `id` in ascending byte order, or nil when the lease does not exist.
    /// Any thread.
    public func keys(of id: Int64) -> [[UInt8]]? {
        guard let keys = state.withLock({ $0.leases[id]?.keys }) else { return nil }
        return keys.sorted(by: Bytes.less)
    }

    /// The lease `key` is attached to, or nil. Any thread.
    public func lease(attachedTo key: [UInt8]) -> Int64? {
        state.withLock { $0.leaseByKey[key] }
    }

    /// Attaches `key` to lease `id`. Returns false, changing nothing, when the lease does not exist.
    /// MVCC calls it on the apply thread for puts with a lease and when rebuilding on open.
    @discardableResult
    public func attach(_ key: [UInt8], to id: Int64) -> Bool {
        state.withLock { state in
            guard state.leases[id] != nil else { return false }
            state.leases[id]!.keys.insert(key)
            state.leaseByKey[key] = id
            return true
        }
    }

    /// Detaches `key` from lease `id`. MVCC calls it on the apply thread when the key is overwritten or
    /// deleted.
    public func detach(_ key: [UInt8], from id: Int64) {
        state.withLock { state in
            state.leases[id]?.keys.remove(key)
            if state.leaseByKey[key] == id {
                state.leaseByKey[key] = nil
            }
        }
    }

    /// The backend write that deletes lease `id`'s record; MVCC puts it in the revoke transaction.
    public func recordDeletion(_ id: Int64) -> Mutation {
        .delete(database, key: LeaseRecordCodec.key(id))
    }

    /// Forgets lease `id` and its attachments once its revoke transaction was applied. Apply thread.
    public func remove(_ id: Int64) {
        state.withLock { state in
            guard let entry = state.leases.removeValue(forKey: id) else { return }
            for key in entry.keys where state.leaseByKey[key] == id {
                state.leaseByKey[key] = nil
            }
        }
    }

    private func persist(_ record: LeaseRecord) throws(LeaseError) {
        let mutation = Mutation.put(database, key: LeaseRecordCodec.key(record.id), value: LeaseRecordCodec.encode(record))
        do throws(BackendError) {
            try backend.writer.apply([mutation])
        } catch {
            throw .backend(error)
        }
    }
}
