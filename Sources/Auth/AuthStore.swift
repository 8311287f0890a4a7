import EtcdProto

/// etcd's auth store as records and rules, without I/O: users, roles, the enabled flag and the auth
/// revision, each management operation with etcd's checks, errors and revision bumps (returning the
/// ``AuthWrite``s the member applies with the log entry), and the permission checks every request goes
/// through (``AuthStore+Checks``). Applied on the member's apply thread, so operations and checks never
/// interleave.
public struct AuthStore: Sendable {
    /// The name of the user and of the role with every right.
    public static let root = "root"

    public private(set) var enabled: Bool
    public private(set) var revision: UInt64
    public private(set) var users: [String: AuthUser]
    public private(set) var roles: [String: AuthRole]
    /// Each user's merged READ and WRITE intervals, rebuilt after every change.
    private(set) var permissions: [String: UserPermissions] = [:]

    /// A store as the backend holds it; a missing revision starts at 1 (``loaded(enabled:revision:users:roles:)``
    /// tells the member to write it, as etcd does at start).
    public init(enabled: Bool = false, revision: UInt64 = 1, users: [AuthUser] = [], roles: [AuthRole] = []) {
        self.enabled = enabled
        self.revision = revision
        self.users = Dictionary(users.map { ($0.name, $0) }, uniquingKeysWith: { $1 })
        self.roles = Dictionary(roles.map { ($0.name, $0) }, uniquingKeysWith: { $1 })
        self.rebuildPermissions()
    }

    /// Decodes the store from the backend's `auth`, `authUsers` and `authRoles` contents. Returns the writes
    /// that complete it (the revision, when there was none).
    public static func loaded(enabled: [UInt8]?, revision: [UInt8]?, users: [[UInt8]], roles: [[UInt8]]) throws(EtcdError) -> (AuthStore, [AuthWrite]) {
        var decodedUsers: [AuthUser] = []
        for bytes in users { decodedUsers.append(try AuthUser(decoding: bytes)) }
        var decodedRoles: [AuthRole] = []
        for bytes in roles { decodedRoles.append(try AuthRole(decoding: bytes)) }
        var number: UInt64 = 1
        if let revision {
            guard revision.count == 8 else { throw EtcdError(.dataLoss, "etcdserver: auth revision of \(revision.count) bytes") }
            number = revision.reduce(0) { $0 << 8 | UInt64($1) }
        }
        let store = AuthStore(enabled: enabled == [1], revision: number, users: decodedUsers, roles: decodedRoles)
        return (store, revision == nil ? [.revision(number)] : [])
    }

    /// User names in byte order, as etcd lists them.
    public var userNames: [String] { self.users.keys.sorted(by: Self.byteOrder) }

    /// Role names in byte order, as etcd lists them.
    public var roleNames: [String] { self.roles.keys.sorted(by: Self.byteOrder) }

    static func byteOrder(_ first: String, _ second: String) -> Bool {
        Array(first.utf8).lexicographicallyPrecedes(Array(second.utf8))
    }

    // MARK: - Enabling

    /// `AuthEnable`: needs user `root` holding role `root`; enabling twice succeeds. No revision bump.
    public mutating func enable() throws(EtcdError) -> [AuthWrite] {
        if self.enabled { return [] }
        guard let root = self.users[Self.root] else { throw .rootUserNotExist }
        guard root.isRoot else { throw .rootRoleNotExist }
        self.enabled = true
        return [.enabled(true)]
    }

    /// `AuthDisable`: bumps the revision (so every token and identity taken before is stale); disabling
    /// twice succeeds and changes nothing.
    public mutating func disable() -> [AuthWrite] {
        guard self.enabled else { return [] }
        self.enabled = false
        return [.enabled(false)] + self.bump()
    }

    // MARK: - Users

    /// `UserAdd` with the password already hashed (empty for a user without password).
    public mutating func addUser(_ name: String, passwordHash: [UInt8], noPassword: Bool) throws(EtcdError) -> [AuthWrite] {
        guard !name.isEmpty else { throw .userEmpty }
        guard self.users[name] == nil else { throw .userAlreadyExists }
        return self.store(AuthUser(name: name, passwordHash: noPassword ? [] : passwordHash, noPassword: noPassword))
    }

    /// `UserDelete`; user `root` cannot go while auth is enabled.
    public mutating func deleteUser(_ name: String) throws(EtcdError) -> [AuthWrite] {
        if self.enabled, name == Self.root { throw .invalidAuthManagement }
        guard self.users.removeValue(forKey: name) != nil else { throw .userNotFound }
        self.rebuildPermissions()
        return [AuthWrite(.users, key: Array(name.utf8), value: nil)] + self.bump()
    }

    /// `UserChangePassword` with the new password already hashed.
    public mutating func changePassword(_ name: String, passwordHash: [UInt8]) throws(EtcdError) -> [AuthWrite] {
        guard var user = self.users[name] else { throw .userNotFound }
        user.passwordHash = user.noPassword ? [] : passwordHash
        return self.store(user)
    }

    /// `UserGrantRole`; role `root` need not exist as a role; granting a role the user has changes nothing.
    public mutating func grantRole(_ role: String, to name: String) throws(EtcdError) -> [AuthWrite] {
        guard var user = self.users[name] else { throw .userNotFound }
        guard role == Self.root || self.roles[role] != nil else { throw .roleNotFound }
        guard !user.roles.contains(role) else { return [] }
        user.roles = (user.roles + [role]).sorted(by: Self.byteOrder)
        return self.store(user)
    }

    /// `UserRevokeRole`; role `root` cannot be taken from user `root` while auth is enabled.
    public mutating func revokeRole(_ role: String, from name: String) throws(EtcdError) -> [AuthWrite] {
        if self.enabled, name == Self.root, role == Self.root { throw .invalidAuthManagement }
        guard var user = self.users[name] else { throw .userNotFound }
        guard let index = user.roles.firstIndex(of: role) else { throw .roleNotGranted }
        user.roles.remove(at: index)
        return self.store(user)
    }

    /// `UserGet`: the user's roles.
    public func user(_ name: String) throws(EtcdError) -> AuthUser {
        guard let user = self.users[name] else { throw .userNotFound }
        return user
    }

    // MARK: - Roles

    /// `RoleAdd`.
    public mutating func addRole(_ name: String) throws(EtcdError) -> [AuthWrite] {
        guard !name.isEmpty else { throw .roleEmpty }
        guard self.roles[name] == nil else { throw .roleAlreadyExists }
        return self.store(AuthRole(name: name))
    }

    /// `RoleDelete`: the role goes from every user too; role `root` cannot go while auth is enabled.
    public mutating func deleteRole(_ name: String) throws(EtcdError) -> [AuthWrite] {
        if self.enabled, name == Self.root { throw .invalidAuthManagement }
        guard self.roles.removeValue(forKey: name) != nil else { throw .roleNotFound }
        var writes = [AuthWrite(.roles, key: Array(name.utf8), value: nil)]
        for userName in self.userNames {
            guard var user = self.users[userName], user.roles.contains(name) else { continue }
            user.roles.removeAll { $0 == name }
            self.users[userName] = user
            writes.append(AuthWrite(.users, key: Array(userName.utf8), value: user.encoded))
        }
        self.rebuildPermissions()
        return writes + self.bump()
    }

    /// `RoleGrantPermission`: `nil` is etcd's "permission not given"; the key must not be empty and the end
    /// must be empty, `[0x00]` or after the key; the same (key, end) again only changes the kind.
    public mutating func grantPermission(_ permission: Permission?, to name: String) throws(EtcdError) -> [AuthWrite] {
        guard let permission else { throw .permissionNotGiven }
        guard var role = self.roles[name] else { throw .roleNotFound }
        guard !permission.key.isEmpty,
            permission.rangeEnd.isEmpty || permission.rangeEnd == [0] || permission.key.lexicographicallyPrecedes(permission.rangeEnd)
        else { throw .invalidAuthManagement }
        if let index = role.permissions.firstIndex(where: { $0.key == permission.key && $0.rangeEnd == permission.rangeEnd }) {
            role.permissions[index].kind = permission.kind
        } else {
            role.permissions.append(permission)
            role.permissions.sort { first, second in
                first.key == second.key ? first.rangeEnd.lexicographicallyPrecedes(second.rangeEnd) : first.key.lexicographicallyPrecedes(second.key)
            }
        }
        return self.store(role)
    }

    /// `RoleRevokePermission`: the (key, end) pair must match a granted one exactly.
    public mutating func revokePermission(key: [UInt8], rangeEnd: [UInt8], from name: String) throws(EtcdError) -> [AuthWrite] {
        guard var role = self.roles[name] else { throw .roleNotFound }
        guard let index = role.permissions.firstIndex(where: { $0.key == key && $0.rangeEnd == rangeEnd }) else {
            throw .permissionNotGranted
        }
        role.permissions.remove(at: index)
        return self.store(role)
    }

    /// `RoleGet`: the role's permissions.
    public func role(_ name: String) throws(EtcdError) -> AuthRole {
        guard let role = self.roles[name] else { throw .roleNotFound }
        return role
    }

    // MARK: - Storing

    private mutating func store(_ user: AuthUser) -> [AuthWrite] {
        self.users[user.name] = user
        self.rebuildPermissions()
        return [AuthWrite(.users, key: Array(user.name.utf8), value: user.encoded)] + self.bump()
    }

    private mutating func store(_ role: AuthRole) -> [AuthWrite] {
        self.roles[role.name] = role
        self.rebuildPermissions()
        return [AuthWrite(.roles, key: Array(role.name.utf8), value: role.encoded)] + self.bump()
    }

    private mutating func bump() -> [AuthWrite] {
        self.revision += 1
        return [.revision(self.revision)]
    }

    private mutating func rebuildPermissions() {
        var permissions: [String: UserPermissions] = [:]
        for user in self.users.values {
            permissions[user.name] = UserPermissions(user.roles.compactMap { self.roles[$0] }.flatMap(\.permissions))
        }
        self.permissions = permissions
    }
}

/// One user's rights: the union of its roles' permissions, merged into a READ set and a WRITE set.
struct UserPermissions: Sendable, Hashable {
    var read = KeyIntervalSet()
    var write = KeyIntervalSet()

    init(_ permissions: [Permission]) {
        for permission in permissions {
            if permission.kind.allows(.read) { self.read.insert(permission.keys) }
            if permission.kind.allows(.write) { self.write.insert(permission.keys) }
        }
    }
}
