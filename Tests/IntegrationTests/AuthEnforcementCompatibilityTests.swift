import Foundation
import Testing

/// Debian's Go `etcdctl` 3.4 sets up users, roles and permissions, enables auth, then reads, writes,
/// watches and manages as users with and without the rights, against our member and against Go etcd 3.4;
/// what it prints (masked as ``EtcdctlCompatibilityTests`` masks) must be the same.
@Suite(.serialized) struct AuthEnforcementCompatibilityTests {
    typealias Step = EtcdctlCompatibilityTests.Step

    static let root = ["--user", "root:rootpw"]
    static let alice = ["--user", "alice:alicepw"]
    static let bob = ["--user", "bob:bobpw"]
    static let snapshotPath = FileManager.default.temporaryDirectory.appendingPathComponent("etcd-swift-auth-\(UUID().uuidString).db").path

    static let script: [Step] = [
        Step(arguments: ["user", "add", "root:rootpw"]),
        Step(arguments: ["role", "add", "reader"]),
        Step(arguments: ["role", "grant-permission", "reader", "read", "pub/", "--prefix"]),
        Step(arguments: ["role", "add", "writer"]),
        Step(arguments: ["role", "grant-permission", "writer", "readwrite", "app/", "--prefix"]),
        Step(arguments: ["role", "grant-permission", "writer", "write", "zlogs", "--from-key"]),
        Step(arguments: ["user", "add", "alice:alicepw"]),
        Step(arguments: ["user", "grant-role", "alice", "writer"]),
        Step(arguments: ["user", "add", "bob:bobpw"]),
        Step(arguments: ["user", "grant-role", "bob", "reader"]),
        Step(arguments: ["put", "pub/a", "1"]),
        Step(arguments: ["auth", "enable"]),
        // Without credentials.
        Step(arguments: ["put", "x", "1"]),
        Step(arguments: ["get", "x"]),
        Step(arguments: ["user", "list"]),
        // Wrong credentials.
        Step(arguments: ["get", "app/1"] + ["--user", "alice:wrong"]),
        Step(arguments: ["get", "app/1"] + ["--user", "nobody:pw"]),
        // Keys, as each user.
        Step(arguments: ["put", "pub/b", "2"] + root),
        Step(arguments: ["put", "app/1", "one"] + alice),
        Step(arguments: ["get", "app/1"] + alice),
        Step(arguments: ["get", "app/", "--prefix"] + alice),
        Step(arguments: ["get", "app", "--prefix"] + alice),
        Step(arguments: ["put", "pub/c", "3"] + alice),
        Step(arguments: ["get", "pub/a"] + alice),
        Step(arguments: ["put", "zlogs/2026", "x"] + alice),
        Step(arguments: ["get", "zlogs/2026"] + alice),
        Step(arguments: ["put", "zzz", "x"] + alice),
        Step(arguments: ["get", "pub/", "--prefix"] + bob),
        Step(arguments: ["get", "pub", "--prefix"] + bob),
        Step(arguments: ["put", "pub/z", "1"] + bob),
        Step(arguments: ["put", "app/2", "two", "--prev-kv"] + alice),
        Step(arguments: ["del", "app/2", "--prev-kv"] + alice),
        Step(arguments: ["del", "pub/a"] + alice),
        // Transactions: every compare and both branches are checked.
        Step(arguments: ["txn"] + alice, input: "value(\"app/1\") = \"one\"\n\nput app/3 three\n\nput pub/x no\n\n"),
        Step(arguments: ["txn"] + alice, input: "value(\"app/1\") = \"one\"\n\nput app/3 three\n\nget app/1\n\n"),
        Step(arguments: ["txn"] + alice, input: "value(\"pub/a\") = \"1\"\n\nput app/4 four\n\n\n"),
        Step(arguments: ["txn"] + bob, input: "value(\"pub/a\") = \"1\"\n\nget pub/b\n\n\n"),
        // Watches are checked when they are created. A refused watch ends etcdctl by itself, so its limit only
        // bounds a member that never answers (a CI run under load once took over 2 s to log in and refuse).
        Step(arguments: ["watch", "app/", "--prefix"] + bob, watchSeconds: 15),
        Step(arguments: ["watch", "app/1", "--rev", "1"] + alice, watchSeconds: 2),
        // Leases: granting is open; revoking needs WRITE on the lease's keys.
        Step(arguments: ["lease", "grant", "600"] + bob),
        // Auth management and the admin calls need root.
        Step(arguments: ["user", "list"] + alice),
        Step(arguments: ["user", "get", "alice"] + alice),
        Step(arguments: ["user", "get", "bob"] + alice),
        Step(arguments: ["role", "get", "writer"] + alice),
        Step(arguments: ["role", "get", "reader"] + alice),
        Step(arguments: ["user", "add", "carol:pw"] + alice),
        Step(arguments: ["member", "add", "learner", "--peer-urls", "http://127.0.0.1:1", "--learner"] + alice),
        Step(arguments: ["snapshot", "save", snapshotPath] + alice),
        Step(arguments: ["defrag"] + alice),
        Step(arguments: ["endpoint", "health"] + alice),
        Step(arguments: ["endpoint", "health"]),
        Step(arguments: ["auth", "disable"] + alice),
        Step(arguments: ["user", "list"] + root),
        Step(arguments: ["role", "list"] + root),
        // Permission changes take effect at once.
        Step(arguments: ["role", "revoke-permission", "writer", "app/", "--prefix"] + root),
        Step(arguments: ["get", "app/1"] + alice),
        Step(arguments: ["user", "delete", "bob"] + root),
        Step(arguments: ["get", "pub/b"] + bob),
        Step(arguments: ["get", "", "--prefix"] + root),
        Step(arguments: ["user", "delete", "root"] + root),
        Step(arguments: ["auth", "disable"] + root),
        Step(arguments: ["get", "", "--prefix", "--keys-only"]),
    ]

    @Test func goEtcdctlSeesTheSameAuthFromOurMemberAsFromGoEtcd() async throws {
        defer { try? FileManager.default.removeItem(atPath: Self.snapshotPath) }
        try await EtcdctlCompatibilityTests.compare(Self.script, ours: Binaries.etcd, theirs: try Binaries.system("etcd"))
    }
}
