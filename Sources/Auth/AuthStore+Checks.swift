import EtcdProto

/// Who a request comes from, as the API layer resolved it (token or certificate): the user and the auth
/// revision the identity was resolved at.
public struct AuthIdentity: Sendable, Hashable {
    public var user: String
    public var revision: UInt64

    public init(user: String, revision: UInt64) {
        self.user = user
        self.revision = revision
    }
}

extension AuthStore {
    /// etcd's key check (`isOpPermitted`): with auth enabled, a request needs an identity (else "user name
    /// is empty"), resolved at the current auth revision (else "revision of auth store is old"), of a user
    /// that exists (else "permission denied"); user `root` may do anything; anyone else needs `access` on
    /// the key (empty `rangeEnd`) or on all of `[key, rangeEnd)` (`[0x00]`: every key from `key` on).
    public func check(_ access: Access, key: [UInt8], rangeEnd: [UInt8], as identity: AuthIdentity?) throws(EtcdError) {
        guard self.enabled else { return }
        guard let identity, identity.revision != 0 else { throw .userEmpty }
        guard identity.revision >= self.revision else { throw .authOldRevision }
        guard let user = self.users[identity.user], let rights = self.permissions[identity.user] else { throw .permissionDenied }
        if user.isRoot { return }
        let granted = access == .read ? rights.read : rights.write
        let allowed = rangeEnd.isEmpty ? granted.contains(key) : granted.covers(KeyInterval(key: key, rangeEnd: rangeEnd))
        guard allowed else { throw .permissionDenied }
    }

    /// etcd's admin check (`IsAdminPermitted`), for member changes, maintenance and auth management: with
    /// auth enabled the caller must be a user holding role `root`. The identity's revision is not compared.
    public func checkAdmin(_ identity: AuthIdentity?) throws(EtcdError) {
        guard self.enabled else { return }
        guard let identity, !identity.user.isEmpty else { throw .userEmpty }
        guard let user = self.users[identity.user] else { throw .userNotFound }
        guard user.isRoot else { throw .permissionDenied }
    }

    /// `UserGet`'s check: an admin, or the user asking about itself.
    public func checkUserGet(_ name: String, as identity: AuthIdentity?) throws(EtcdError) {
        do {
            try self.checkAdmin(identity)
        } catch {
            guard identity?.user == name else { throw error }
        }
    }

    /// `RoleGet`'s check: an admin, or a user holding the role.
    public func checkRoleGet(_ role: String, as identity: AuthIdentity?) throws(EtcdError) {
        do {
            try self.checkAdmin(identity)
        } catch {
            guard let identity, self.users[identity.user]?.roles.contains(role) == true else { throw error }
        }
    }
}

extension AuthStore {
    /// The stored password hash `Authenticate` compares against: etcd's "authentication failed" for a user
    /// that does not exist, and its raw error for a user without password (which only a certificate can name).
    public func passwordHash(authenticating name: String) throws(EtcdError) -> [UInt8] {
        guard !name.isEmpty, let user = self.users[name] else { throw .authFailed }
        guard !user.noPassword else { throw .passwordForNoPasswordUser }
        return user.passwordHash
    }
}
