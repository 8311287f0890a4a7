import Auth
import Backend
import EtcdProto
import Synchronization

/// The member's auth store (``Auth/AuthStore``) over the backend's `auth`, `authUsers` and `authRoles`
/// databases, in etcd's encodings, so that auth data survives restarts and travels with snapshots.
///
/// Threading: changed on the apply thread only; readable from any thread.
final class AuthState: Sendable {
    private let databases: [AuthWrite.Bucket: Database]
    private let state: Mutex<AuthStore>

    /// Loads what `backend` holds (no revision stored reads as etcd's first revision, 1; the first auth
    /// change writes it).
    init(backend: Backend) throws {
        var databases: [AuthWrite.Bucket: Database] = [:]
        for bucket in [AuthWrite.Bucket.auth, .users, .roles] { databases[bucket] = backend.database(bucket.rawValue) }
        self.databases = databases
        let view = try backend.read()
        defer { view.close() }
        let enabled = try view.get(databases[.auth]!, Array("authEnabled".utf8))
        let revision = try view.get(databases[.auth]!, Array("authRevision".utf8))
        let (store, _) = try AuthStore.loaded(enabled: enabled, revision: revision,
                                              users: try Self.values(databases[.users]!, view), roles: try Self.values(databases[.roles]!, view))
        self.state = Mutex(store)
    }

    /// The store as of the last applied entry.
    var current: AuthStore {
        self.state.withLock { $0 }
    }

    /// Runs one operation on the store and returns the backend mutations it asks for; a refused operation
    /// changes nothing. Apply thread.
    func apply(_ operation: (inout AuthStore) throws(EtcdError) -> [AuthWrite]) throws(EtcdError) -> [Mutation] {
        let writes = try self.state.withLock { (store: inout AuthStore) throws(EtcdError) -> [AuthWrite] in
            var changed = store
            let writes = try operation(&changed)
            store = changed
            return writes
        }
        return writes.map { write in
            let database = self.databases[write.bucket]!
            return write.value.map { Mutation.put(database, key: write.key, value: $0) } ?? Mutation.delete(database, key: write.key)
        }
    }

    private static func values(_ database: Database, _ view: ReadView) throws -> [[UInt8]] {
        var values: [[UInt8]] = []
        try view.scan(database) { _, value in
            values.append(Array(value))
            return true
        }
        return values
    }
}
