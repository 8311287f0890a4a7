import EtcdClient
import EtcdProto
import Foundation
import Testing

/// Users and roles made on our member (by Go etcdctl 3.4) travel in a snapshot to Go etcd 3.4, which then
/// enables auth with them: the bcrypt hashes, the role grants and the permissions are etcd's own bytes.
/// Ours hashes at `--bcrypt-cost` (here from `ETCD_BCRYPT_COST`). EtcdClient's auth calls get the same
/// answers and errors from ours as from Go etcd. A backend restored from a Go etcd snapshot taken with auth
/// enabled keeps it enabled on ours, with the same users.
@Suite(.serialized) struct AuthManagementTests {
    private static let environment = ["ETCDCTL_API": "3", "PATH": "/usr/bin:/bin"]

    private static func etcdctl(_ port: Int, _ arguments: [String]) async throws -> ProgramResult {
        try await ProcessRunner.run(try Binaries.system("etcdctl"), ["--endpoints=127.0.0.1:\(port)"] + arguments, environment: Self.environment)
    }

    @Test func usersAndRolesMadeHereWorkInGoEtcdAfterASnapshot() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("etcd-auth-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ours = try MemberProcess(environment: ["ETCD_BCRYPT_COST": "4"])
        try await ours.waitUntilServing()
        for command in [
            ["user", "add", "alice:pw"], ["role", "add", "writer"], ["role", "grant-permission", "writer", "readwrite", "pre/", "--prefix"],
            ["user", "grant-role", "alice", "writer"], ["user", "add", "root:rootpw"], ["user", "grant-role", "root", "root"],
        ] {
            let result = try await Self.etcdctl(ours.clientPort, command)
            #expect(result.status == 0, "\(command): \(result.standardError)")
        }
        let snapshot = "\(directory)/snapshot.db"
        #expect(try await Self.etcdctl(ours.clientPort, ["snapshot", "save", snapshot]).status == 0)
        _ = try await ours.terminate()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: snapshot))
        #expect(bytes.range(of: Data("$2a$04$".utf8)) != nil, "passwords hashed at ETCD_BCRYPT_COST")

        let restored = try await ProcessRunner.run(try Binaries.system("etcdctl"), ["snapshot", "restore", snapshot, "--data-dir", "\(directory)/go"],
                                                   environment: Self.environment)
        #expect(restored.status == 0, "\(restored.standardError)")
        let go = try MemberProcess(arguments: ["--data-dir", "\(directory)/go"], executable: try Binaries.system("etcd"))
        try await go.waitUntilServing()
        #expect(try await Self.etcdctl(go.clientPort, ["user", "list"]).standardOutput == "alice\nroot\n")
        #expect(try await Self.etcdctl(go.clientPort, ["auth", "enable"]).standardOutput == "Authentication Enabled\n")
        #expect(try await Self.etcdctl(go.clientPort, ["--user", "alice:pw", "put", "pre/x", "1"]).standardOutput == "OK\n")
        let denied = try await Self.etcdctl(go.clientPort, ["--user", "alice:pw", "put", "other", "1"])
        #expect(denied.status != 0 && denied.standardError.contains("permission denied"), "\(denied)")
        let wrong = try await Self.etcdctl(go.clientPort, ["--user", "alice:nope", "get", "pre/x"])
        #expect(wrong.standardError.contains("authentication failed"), "\(wrong)")
        #expect(try await Self.etcdctl(go.clientPort, ["--user", "root:rootpw", "get", "pre/x", "--print-value-only"]).standardOutput == "1\n")
        _ = try await go.terminate()
    }

    /// What EtcdClient's auth calls return from the member at `port`: each result or etcd's error text.
    private static func clientTranscript(port: Int) async throws -> [String] {
        let client = try EtcdClient(endpoints: ["127.0.0.1:\(port)"])
        var lines: [String] = []
        func record(_ call: () async throws -> String) async {
            do {
                lines.append(try await call())
            } catch let error as EtcdError {
                lines.append("error: \(error.code) \(error.message)")
            } catch {
                lines.append("error: \(error)")
            }
        }
        await record { try await client.userAdd("bob", password: "pw").header.revision.description }
        await record { try await client.userAdd("bob", password: "pw").header.revision.description }
        await record { try await client.userAdd("", password: "pw").header.revision.description }
        await record { try await client.roleAdd("ops").header.revision.description }
        await record { try await client.roleAdd("").header.revision.description }
        await record { try await client.roleGrantPermission("ops", key: Array("a".utf8), rangeEnd: Array("c".utf8), type: .readwrite).header.revision.description }
        await record { try await client.roleGrantPermission("ops", key: Array("z".utf8), rangeEnd: [0], type: .read).header.revision.description }
        await record { try await client.roleGrantPermission("none", key: Array("z".utf8), type: .read).header.revision.description }
        await record { try await client.roleGet("ops").perm.map { "\($0.permType) \($0.key.count) \($0.rangeEnd.count)" }.joined(separator: ",") }
        await record { try await client.userGrantRole("bob", role: "ops").header.revision.description }
        await record { try await client.userGrantRole("bob", role: "none").header.revision.description }
        await record { try await client.userGet("bob").roles.joined(separator: ",") }
        await record { try await client.userGet("nobody").roles.joined(separator: ",") }
        await record { try await client.roleRevokePermission("ops", key: Array("a".utf8)).header.revision.description }
        await record { try await client.roleRevokePermission("ops", key: Array("a".utf8), rangeEnd: Array("c".utf8)).header.revision.description }
        await record { try await client.userRevokeRole("bob", role: "ops").header.revision.description }
        await record { try await client.userRevokeRole("bob", role: "ops").header.revision.description }
        await record { try await client.userChangePassword("bob", password: "new").header.revision.description }
        await record { try await client.userList().users.joined(separator: ",") }
        await record { try await client.roleList().roles.joined(separator: ",") }
        await record { try await client.roleDelete("ops").header.revision.description }
        await record { try await client.userDelete("bob").header.revision.description }
        await record { try await client.userDelete("bob").header.revision.description }
        await record { try await client.authDisable().header.revision.description }
        await client.close()
        return lines
    }

    @Test func theClientsAuthCallsAnswerAsGoEtcdAnswers() async throws {
        let ours = try MemberProcess()
        try await ours.waitUntilServing()
        let ourLines = try await Self.clientTranscript(port: ours.clientPort)
        _ = try await ours.terminate()
        let go = try MemberProcess(executable: try Binaries.system("etcd"))
        try await go.waitUntilServing()
        let goLines = try await Self.clientTranscript(port: go.clientPort)
        _ = try await go.terminate()
        #expect(ourLines.count == goLines.count)
        for (index, (mine, theirs)) in zip(ourLines, goLines).enumerated() {
            #expect(mine == theirs, "call \(index + 1)")
        }
    }

    @Test func aSnapshotWithAuthEnabledKeepsItEnabled() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("etcd-auth-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let go = try MemberProcess(executable: try Binaries.system("etcd"))
        try await go.waitUntilServing()
        for command in [["user", "add", "root:rootpw"], ["auth", "enable"], ["--user", "root:rootpw", "put", "k", "v"]] {
            let result = try await Self.etcdctl(go.clientPort, command)
            #expect(result.status == 0, "\(command): \(result.standardError)")
        }
        let snapshot = "\(directory)/snapshot.db"
        #expect(try await Self.etcdctl(go.clientPort, ["--user", "root:rootpw", "snapshot", "save", snapshot]).status == 0)
        _ = try await go.terminate()
        let restored = try await ProcessRunner.run(Binaries.etcdctl, ["snapshot", "restore", snapshot, "--data-dir", "\(directory)/ours"],
                                                   environment: Self.environment)
        #expect(restored.status == 0, "\(restored.standardError)")
        let ours = try MemberProcess(arguments: ["--data-dir", "\(directory)/ours"])
        try await ours.waitUntilServing()
        let anonymous = try await Self.etcdctl(ours.clientPort, ["get", "k"])
        #expect(anonymous.status == 1 && anonymous.standardError.contains("Error: etcdserver: user name is empty"), "\(anonymous)")
        let asRoot = try await Self.etcdctl(ours.clientPort, ["--user", "root:rootpw", "get", "k", "--print-value-only"])
        #expect(asRoot.standardOutput == "v\n", "\(asRoot)")
        _ = try await ours.terminate()
    }
}
