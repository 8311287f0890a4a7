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
    private let enabledFlag: Atomic<Bool>

    /// Loads what `backend` holds and writes what completes it (etcd's first auth revision, 1, when none is
    /// stored, as etcd does at start) into the open batch. Apply thread.
    init(backend: Backend) throws {
        var databases: [AuthWrite.Bucket: Database] = [:]
        for bucket in [AuthWrite.Bucket.auth, .users, .roles] { databases[bucket] = backend.database(bucket.rawValue) }
        self.databases = databases
        let view = try backend.read()
        defer { view.close() }
        let enabled = try view.get(databases[.auth]!, Array("authEnabled".utf8))
        let revision = try view.get(databases[.auth]!, Array("authRevision".utf8))
        let (store, completing) = try AuthStore.loaded(enabled: enabled, revision: revision,
                                                       users: try Self.values(databases[.users]!, view), roles: try Self.values(databases[.roles]!, view))
        self.state = Mutex(store)
        self.enabledFlag = Atomic(store.enabled)
        try backend.writer.apply(self.mutations(completing))
    }

    /// The store as of the last applied entry.
    var current: AuthStore {
        self.state.withLock { $0 }
    }

    /// Whether auth is enabled, without taking the lock: the fast path of every request while it is off.
    var isEnabled: Bool { self.enabledFlag.load(ordering: .acquiring) }

    /// Checks what a request needs on the key space against the store as of now.
    func check(_ needs: [PermissionNeed], as identity: AuthIdentity?) throws(EtcdError) {
        try self.state.withLock { (store: inout AuthStore) throws(EtcdError) in try store.check(needs, as: identity) }
    }

    /// Runs one operation on the store and returns the backend mutations it asks for; a refused operation
    /// changes nothing (``Auth/AuthStore``'s operations check before they change). Apply thread.
    func apply(_ operation: (inout AuthStore) throws(EtcdError) -> [AuthWrite]) throws(EtcdError) -> [Mutation] {
        let writes = try self.state.withLock { (store: inout AuthStore) throws(EtcdError) -> [AuthWrite] in
            let writes = try operation(&store)
            self.enabledFlag.store(store.enabled, ordering: .releasing)
            return writes
        }
        return self.mutations(writes)
    }

    private func mutations(_ writes: [AuthWrite]) -> [Mutation] {
        writes.map { write in
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
