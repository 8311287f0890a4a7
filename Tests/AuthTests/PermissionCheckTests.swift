import Auth
import EtcdProto
import Testing

/// The key checks as etcd makes them, on cases checked against Go etcd 3.4 (research notes, "[run]"), and a
/// property test: random users, roles and grants over a small alphabet, every request's decision equal to a
/// reference model that enumerates keys.
@Suite struct PermissionCheckTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    static func enabledStore(granting permissions: [Permission], to user: String = "u") throws -> AuthStore {
        var store = AuthStore()
        _ = try store.addUser("root", passwordHash: [1], noPassword: false)
        _ = try store.grantRole("root", to: "root")
        _ = try store.addUser(user, passwordHash: [1], noPassword: false)
        _ = try store.addRole("r")
        for permission in permissions { _ = try store.grantPermission(permission, to: "r") }
        _ = try store.grantRole("r", to: user)
        _ = try store.enable()
        return store
    }

    static func allowed(_ store: AuthStore, _ access: Access, _ key: String, _ end: String = "", user: String = "u") -> Bool {
        do {
            try store.check(access, key: Self.bytes(key), rangeEnd: Self.bytes(end), as: AuthIdentity(user: user, revision: store.revision))
            return true
        } catch {
            return false
        }
    }

    @Test func aPrefixGrantCoversItsPrefixOnly() throws {
        let store = try Self.enabledStore(granting: [Permission(.read, key: Self.bytes("pre/"), rangeEnd: Self.bytes("pre0"))])
        #expect(Self.allowed(store, .read, "pre/", "pre0"))
        #expect(!Self.allowed(store, .read, "pre", "prf"), "get pre --prefix is denied")
        #expect(Self.allowed(store, .read, "pre/x"))
        #expect(!Self.allowed(store, .write, "pre/x"))
        #expect(!Self.allowed(store, .read, "pre/", "\u{0}"), "from-key reaches past the grant")
        #expect(Self.allowed(store, .read, "x", user: "root"), "root passes every check")
    }

    @Test func adjacentGrantsMergeAndOpenEndsReachEverything() throws {
        let store = try Self.enabledStore(granting: [
            Permission(.read, key: Self.bytes("a"), rangeEnd: Self.bytes("c")),
            Permission(.readWrite, key: Self.bytes("c"), rangeEnd: Self.bytes("e")),
            Permission(.write, key: Self.bytes("m"), rangeEnd: [0]),
        ])
        #expect(Self.allowed(store, .read, "a", "e"))
        #expect(!Self.allowed(store, .write, "a", "e"))
        #expect(Self.allowed(store, .write, "z", "\u{0}"))
        #expect(Self.allowed(store, .write, "m", "\u{0}"))
        #expect(!Self.allowed(store, .write, "l", "\u{0}"))
        #expect(!Self.allowed(store, .read, "d", "b"), "an inverted range is covered by nothing")
    }

    @Test func identitiesAreCheckedInEtcdsOrder() throws {
        var store = try Self.enabledStore(granting: [Permission(.read, key: Self.bytes("k"))])
        let key = Self.bytes("k")
        #expect(throws: EtcdError.userEmpty) { try store.check(.read, key: key, rangeEnd: [], as: nil) }
        #expect(throws: EtcdError.userEmpty) { try store.check(.read, key: key, rangeEnd: [], as: AuthIdentity(user: "u", revision: 0)) }
        #expect(throws: EtcdError.authOldRevision) { try store.check(.read, key: key, rangeEnd: [], as: AuthIdentity(user: "u", revision: store.revision - 1)) }
        #expect(throws: EtcdError.permissionDenied) { try store.check(.read, key: key, rangeEnd: [], as: AuthIdentity(user: "ghost", revision: store.revision)) }
        #expect(throws: EtcdError.userNotFound) { try store.checkAdmin(AuthIdentity(user: "ghost", revision: 1)) }
        #expect(throws: EtcdError.permissionDenied) { try store.checkAdmin(AuthIdentity(user: "u", revision: 1)) }
        try store.checkAdmin(AuthIdentity(user: "root", revision: 1))
        try store.checkUserGet("u", as: AuthIdentity(user: "u", revision: 1))
        #expect(throws: EtcdError.permissionDenied) { try store.checkUserGet("root", as: AuthIdentity(user: "u", revision: 1)) }
        try store.checkRoleGet("r", as: AuthIdentity(user: "u", revision: 1))
        #expect(throws: EtcdError.permissionDenied) { try store.checkRoleGet("root", as: AuthIdentity(user: "u", revision: 1)) }
        _ = store.disable()
        try store.check(.write, key: key, rangeEnd: [], as: nil)
    }

    /// Keys drawn over a small alphabet, and the keys the reference looks at: the same strings over one more
    /// letter (so prefix ends stay in), each also with a 0x00 after it (where a one-key grant ends), and one
    /// key past all of them for ranges without end. Every gap between grants starts at one of these keys,
    /// so a range is covered exactly when each of them in it is.
    static let alphabet: [UInt8] = Array("abcd".utf8)
    static func strings(over letters: [UInt8]) -> [[UInt8]] {
        var keys: [[UInt8]] = [[]]
        var all: [[UInt8]] = []
        for _ in 1...3 {
            keys = keys.flatMap { prefix in letters.map { prefix + [$0] } }
            all += keys
        }
        return all.sorted { $0.lexicographicallyPrecedes($1) }
    }
    static let drawn = Self.strings(over: Self.alphabet)
    static let universe: [[UInt8]] = {
        let keys = Self.strings(over: Self.alphabet + Array("e".utf8))
        return (keys + keys.map { $0 + [0] } + [[0xFF]]).sorted { $0.lexicographicallyPrecedes($1) }
    }()

    /// The reference: a request is allowed when every key of the universe it touches is granted by some
    /// permission of the right kind, each permission's keys decided from its definition alone.
    static func reference(_ permissions: [Permission], _ access: Access, key: [UInt8], rangeEnd: [UInt8]) -> Bool {
        func grants(_ candidate: [UInt8]) -> Bool {
            permissions.contains { permission in
                guard permission.kind.allows(access) else { return false }
                if permission.rangeEnd.isEmpty { return candidate == permission.key }
                let afterStart = !candidate.lexicographicallyPrecedes(permission.key)
                return permission.rangeEnd == [0] ? afterStart : afterStart && candidate.lexicographicallyPrecedes(permission.rangeEnd)
            }
        }
        if rangeEnd.isEmpty { return grants(key) }
        let touched = Self.universe.filter { candidate in
            !candidate.lexicographicallyPrecedes(key) && (rangeEnd == [0] || candidate.lexicographicallyPrecedes(rangeEnd))
        }
        return !touched.isEmpty && touched.allSatisfy(grants)
    }

    static func randomRange(_ generator: inout some RandomNumberGenerator) -> (key: [UInt8], rangeEnd: [UInt8]) {
        let key = Self.drawn.randomElement(using: &generator)!
        switch Int.random(in: 0..<4, using: &generator) {
        case 0: return (key, [])
        case 1: return (key, [0])
        case 2:
            var end = key
            end[end.count - 1] += 1
            return (key, end)
        default:
            let end = Self.drawn.filter { key.lexicographicallyPrecedes($0) }.randomElement(using: &generator) ?? [0]
            return (key, end)
        }
    }

    @Test func randomGrantsDecideAsTheReferenceModel() throws {
        var generator = SystemRandomNumberGenerator()
        var checked = 0
        for _ in 0..<200 {
            var permissions: [Permission] = []
            for _ in 0..<Int.random(in: 0...6, using: &generator) {
                let range = Self.randomRange(&generator)
                permissions.append(Permission(Permission.Kind.allCases.randomElement(using: &generator)!, key: range.key, rangeEnd: range.rangeEnd))
            }
            var store = AuthStore()
            _ = try store.addUser("root", passwordHash: [1], noPassword: false)
            _ = try store.grantRole("root", to: "root")
            _ = try store.addUser("u", passwordHash: [1], noPassword: false)
            for (index, permission) in permissions.enumerated() {
                let role = "r\(index % 3)"
                if store.roles[role] == nil { _ = try store.addRole(role) }
                _ = try store.grantPermission(permission, to: role)
                _ = try store.grantRole(role, to: "u")
            }
            _ = try store.enable()
            let effective = store.roles.values.flatMap(\.permissions)
            for _ in 0..<100 {
                let range = Self.randomRange(&generator)
                let access: Access = Bool.random(using: &generator) ? .read : .write
                var decided = true
                do {
                    try store.check(access, key: range.key, rangeEnd: range.rangeEnd, as: AuthIdentity(user: "u", revision: store.revision))
                } catch {
                    decided = false
                }
                let expected = Self.reference(effective, access, key: range.key, rangeEnd: range.rangeEnd)
                #expect(decided == expected, "\(access) [\(range.key), \(range.rangeEnd)) with \(effective)")
                checked += 1
            }
        }
        #expect(checked == 20_000)
    }
}
