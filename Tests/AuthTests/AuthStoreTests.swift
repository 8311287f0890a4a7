import Auth
import EtcdProto
import Testing

/// The management operations with etcd's rules: errors, revision bumps, root's protections, cascades,
/// and the encodings of what they write.
@Suite struct AuthStoreTests {
    static let hash = Array("$2a$10$abcdefghijklmnopqrstuuMSD5dZzCq3jz8kCbfFZzmdF0DNMIAbC".utf8)

    static func expectError(_ expected: EtcdError, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected \(expected.message)")
        } catch {
            #expect(error as? EtcdError == expected)
        }
    }

    @Test func theRevisionMovesAsEtcds() throws {
        var store = AuthStore()
        #expect(store.revision == 1)
        _ = try store.addUser("root", passwordHash: Self.hash, noPassword: false)
        #expect(store.revision == 2)
        _ = try store.addRole("root")
        #expect(store.revision == 3)
        _ = try store.grantRole("root", to: "root")
        #expect(store.revision == 4)
        #expect(try store.grantRole("root", to: "root").isEmpty, "granting a held role changes nothing")
        _ = try store.enable()
        #expect(store.revision == 4, "enabling does not bump")
        _ = try store.addUser("alice", passwordHash: Self.hash, noPassword: false)
        #expect(store.revision == 5)
        let disabled = store.disable()
        #expect(store.revision == 6 && !store.enabled)
        #expect(disabled.contains(AuthWrite(.auth, key: Array("authEnabled".utf8), value: [0])))
        #expect(disabled.contains(AuthWrite(.auth, key: Array("authRevision".utf8), value: [0, 0, 0, 0, 0, 0, 0, 6])))
        #expect(store.disable().isEmpty, "disabling twice changes nothing")
    }

    @Test func enablingNeedsRootWithTheRootRole() throws {
        var store = AuthStore()
        Self.expectError(.rootUserNotExist) { _ = try store.enable() }
        _ = try store.addUser("root", passwordHash: Self.hash, noPassword: false)
        Self.expectError(.rootRoleNotExist) { _ = try store.enable() }
        _ = try store.grantRole("root", to: "root")
        #expect(try store.enable() == [AuthWrite(.auth, key: Array("authEnabled".utf8), value: [1])])
        #expect(try store.enable().isEmpty)
    }

    @Test func rootIsProtectedOnlyWhileEnabled() throws {
        var store = AuthStore()
        _ = try store.addUser("root", passwordHash: Self.hash, noPassword: false)
        _ = try store.addRole("root")
        _ = try store.grantRole("root", to: "root")
        _ = try store.enable()
        Self.expectError(.invalidAuthManagement) { _ = try store.deleteUser("root") }
        Self.expectError(.invalidAuthManagement) { _ = try store.deleteRole("root") }
        Self.expectError(.invalidAuthManagement) { _ = try store.revokeRole("root", from: "root") }
        _ = store.disable()
        _ = try store.revokeRole("root", from: "root")
        _ = try store.deleteRole("root")
        _ = try store.deleteUser("root")
        #expect(store.users.isEmpty && store.roles.isEmpty)
    }

    @Test func errorsForMissingEmptyAndDuplicateNames() throws {
        var store = AuthStore()
        Self.expectError(.userEmpty) { _ = try store.addUser("", passwordHash: [], noPassword: true) }
        Self.expectError(.roleEmpty) { _ = try store.addRole("") }
        _ = try store.addUser("u", passwordHash: Self.hash, noPassword: false)
        Self.expectError(.userAlreadyExists) { _ = try store.addUser("u", passwordHash: Self.hash, noPassword: false) }
        _ = try store.addRole("r")
        Self.expectError(.roleAlreadyExists) { _ = try store.addRole("r") }
        Self.expectError(.userNotFound) { _ = try store.deleteUser("nobody") }
        Self.expectError(.userNotFound) { _ = try store.grantRole("r", to: "nobody") }
        Self.expectError(.roleNotFound) { _ = try store.grantRole("nothing", to: "u") }
        Self.expectError(.roleNotGranted) { _ = try store.revokeRole("r", from: "u") }
        Self.expectError(.roleNotFound) { _ = try store.deleteRole("nothing") }
        Self.expectError(.permissionNotGiven) { _ = try store.grantPermission(nil, to: "r") }
        Self.expectError(.roleNotFound) { _ = try store.grantPermission(Permission(.read, key: [1]), to: "nothing") }
        Self.expectError(.permissionNotGranted) { _ = try store.revokePermission(key: [1], rangeEnd: [], from: "r") }
        let before = store.revision
        Self.expectError(.invalidAuthManagement) { _ = try store.grantPermission(Permission(.read, key: []), to: "r") }
        Self.expectError(.invalidAuthManagement) { _ = try store.grantPermission(Permission(.read, key: [2], rangeEnd: [1]), to: "r") }
        #expect(store.revision == before, "a refused operation changes nothing")
    }

    @Test func grantsMergeByKeyAndRevokesMatchExactly() throws {
        var store = AuthStore()
        _ = try store.addRole("r")
        _ = try store.grantPermission(Permission(.read, key: Array("b".utf8)), to: "r")
        _ = try store.grantPermission(Permission(.write, key: Array("a".utf8), rangeEnd: Array("c".utf8)), to: "r")
        _ = try store.grantPermission(Permission(.readWrite, key: Array("b".utf8)), to: "r")
        #expect(try store.role("r").permissions == [
            Permission(.write, key: Array("a".utf8), rangeEnd: Array("c".utf8)), Permission(.readWrite, key: Array("b".utf8)),
        ])
        Self.expectError(.permissionNotGranted) { _ = try store.revokePermission(key: Array("a".utf8), rangeEnd: [], from: "r") }
        _ = try store.revokePermission(key: Array("a".utf8), rangeEnd: Array("c".utf8), from: "r")
        #expect(try store.role("r").permissions == [Permission(.readWrite, key: Array("b".utf8))])
    }

    @Test func deletingARoleStripsItFromEveryUser() throws {
        var store = AuthStore()
        _ = try store.addRole("r")
        for name in ["b", "a", "c"] {
            _ = try store.addUser(name, passwordHash: Self.hash, noPassword: false)
            if name != "c" { _ = try store.grantRole("r", to: name) }
        }
        let writes = try store.deleteRole("r")
        #expect(writes.map(\.bucket) == [.roles, .users, .users, .auth])
        #expect(writes.dropFirst().prefix(2).map(\.key) == [Array("a".utf8), Array("b".utf8)])
        #expect(store.users.values.allSatisfy { $0.roles.isEmpty })
    }

    @Test func recordsRoundTripEtcdsEncoding() throws {
        let user = AuthUser(name: "alice", passwordHash: Self.hash, roles: ["a", "b"])
        #expect(try AuthUser(decoding: user.encoded) == user)
        let role = AuthRole(name: "r", permissions: [Permission(.readWrite, key: [1], rangeEnd: [0]), Permission(.read, key: [2])])
        #expect(try AuthRole(decoding: role.encoded) == role)
        let (store, writes) = try AuthStore.loaded(enabled: [1], revision: nil, users: [user.encoded], roles: [role.encoded])
        #expect(store.enabled && store.revision == 1 && store.users["alice"] == user && store.roles["r"] == role)
        #expect(writes == [AuthWrite(.auth, key: Array("authRevision".utf8), value: [0, 0, 0, 0, 0, 0, 0, 1])])
        // Go's bytes for User{name:"u", password:"p", roles:["r"], options:{}}: 0a 01 75 12 01 70 1a 01 72 22 00.
        #expect(AuthUser(name: "u", passwordHash: [0x70], roles: ["r"]).encoded == [0x0A, 0x01, 0x75, 0x12, 0x01, 0x70, 0x1A, 0x01, 0x72, 0x22, 0x00])
    }
}
