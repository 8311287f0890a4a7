import Foundation
import Testing

/// Debian's Go `etcdctl` 3.4 drives our member and Go etcd 3.4 through the same script; what it prints
/// must be the same, once the values that differ by nature (ids, ports, sizes, versions, timings) are
/// masked (table columns are as wide as the ids in them, so runs of spaces and dashes are collapsed).
/// Raft indexes are masked too: Go etcd logs entries of its own (cluster version, v2 store
/// requests) that we do not need. The script ends with user and role management while auth is disabled.
@Suite(.serialized) struct EtcdctlCompatibilityTests {
    /// One etcdctl invocation of the script.
    struct Step: Sendable, CustomStringConvertible {
        var arguments: [String]
        var input: String?
        /// Seconds to let a watch run before it is stopped.
        var watchSeconds: Int?
        /// Lines come in member id order, and ids are random: compare them sorted.
        var unordered = false

        var description: String { self.arguments.joined(separator: " ") }
    }

    static let script: [Step] = [
        Step(arguments: ["put", "foo", "bar"]),
        Step(arguments: ["put", "foo2", "bar2"]),
        Step(arguments: ["put", "foo3", "bar3", "--prev-kv"]),
        Step(arguments: ["put", "foo", "baz", "--prev-kv"]),
        Step(arguments: ["put", "zoo", "z"]),
        Step(arguments: ["get", "foo", "--prefix"]),
        Step(arguments: ["get", "foo", "--prefix", "--limit", "2"]),
        Step(arguments: ["get", "foo", "--prefix", "--sort-by", "MODIFY", "--order", "DESCEND"]),
        Step(arguments: ["get", "foo", "--prefix", "--keys-only"]),
        Step(arguments: ["get", "foo", "--rev", "2"]),
        Step(arguments: ["get", "foo", "-w", "json"]),
        Step(arguments: ["get", "foo", "--prefix", "--count-only", "-w", "json"]),
        Step(arguments: ["get", "", "--from-key", "--keys-only"]),
        Step(arguments: ["get", "foo", "--print-value-only"]),
        Step(arguments: ["del", "foo2", "--prev-kv"]),
        Step(arguments: ["del", "nothing"]),
        Step(arguments: ["txn"], input: "value(\"foo\") = \"baz\"\n\nput foo qux\n\nput foo never\n\n"),
        Step(arguments: ["txn", "-w", "json"], input: "mod(\"zoo\") > \"100\"\n\nput never here\n\nget zoo\n\n"),
        Step(arguments: ["watch", "foo", "--prefix", "--rev", "1"], watchSeconds: 2),
        Step(arguments: ["watch", "zoo", "--rev", "3", "--prev-kv"], watchSeconds: 2),
        Step(arguments: ["compaction", "4"]),
        Step(arguments: ["get", "foo", "--rev", "3"]),
        Step(arguments: ["get", "foo", "--rev", "100"]),
        Step(arguments: ["compaction", "2"]),
        Step(arguments: ["del", "foo", "--prefix", "--prev-kv"]),
        Step(arguments: ["put", "", "empty"]),
        Step(arguments: ["lease", "grant", "60"]),
        Step(arguments: ["lease", "grant", "9999999999"]),
        Step(arguments: ["lease", "list"]),
        Step(arguments: ["lease", "timetolive", "0x1234"]),
        Step(arguments: ["lease", "revoke", "0x1234"]),
        Step(arguments: ["member", "list", "-w", "table"]),
        Step(arguments: ["member", "add", "learner", "--peer-urls", "http://127.0.0.1:1", "--learner"]),
        Step(arguments: ["member", "list"], unordered: true),
        Step(arguments: ["member", "promote", "NEWMEMBER"]),
        Step(arguments: ["member", "remove", "NEWMEMBER"]),
        Step(arguments: ["member", "remove", "1234"]),
        Step(arguments: ["endpoint", "status", "-w", "table"]),
        Step(arguments: ["endpoint", "health"]),
        Step(arguments: ["move-leader", "1234"]),
        // Users and roles while auth is disabled (ours keeps them as etcd does; it cannot enable auth yet).
        Step(arguments: ["user", "add", "alice:pw"]),
        Step(arguments: ["user", "add", "alice:pw"]),
        Step(arguments: ["user", "add", "nopass", "--no-password"]),
        Step(arguments: ["user", "list"]),
        Step(arguments: ["user", "list", "-w", "json"]),
        Step(arguments: ["user", "get", "alice"]),
        Step(arguments: ["user", "get", "nobody"]),
        Step(arguments: ["role", "add", "reader"]),
        Step(arguments: ["role", "add", "reader"]),
        Step(arguments: ["role", "add", "writer"]),
        Step(arguments: ["role", "grant-permission", "reader", "read", "foo"]),
        Step(arguments: ["role", "grant-permission", "reader", "readwrite", "pre/", "--prefix"]),
        Step(arguments: ["role", "grant-permission", "reader", "write", "a", "b"]),
        Step(arguments: ["role", "grant-permission", "reader", "read", "zz", "--from-key"]),
        Step(arguments: ["role", "grant-permission", "reader", "READ", "foo"]),
        Step(arguments: ["role", "grant-permission", "nothing", "read", "foo"]),
        Step(arguments: ["role", "get", "reader"]),
        Step(arguments: ["role", "get", "reader", "-w", "json"]),
        Step(arguments: ["role", "get", "nothing"]),
        Step(arguments: ["role", "list"]),
        Step(arguments: ["user", "grant-role", "alice", "reader"]),
        Step(arguments: ["user", "grant-role", "alice", "reader"]),
        Step(arguments: ["user", "grant-role", "alice", "writer"]),
        Step(arguments: ["user", "grant-role", "alice", "nothing"]),
        Step(arguments: ["user", "get", "alice"]),
        Step(arguments: ["user", "get", "alice", "--detail"]),
        Step(arguments: ["role", "revoke-permission", "reader", "foo"]),
        Step(arguments: ["role", "revoke-permission", "reader", "foo"]),
        Step(arguments: ["role", "revoke-permission", "reader", "a", "b"]),
        Step(arguments: ["role", "revoke-permission", "reader", "pre/", "--prefix"]),
        Step(arguments: ["role", "get", "reader"]),
        Step(arguments: ["user", "revoke-role", "alice", "writer"]),
        Step(arguments: ["user", "revoke-role", "alice", "writer"]),
        Step(arguments: ["user", "passwd", "alice", "--interactive=false"], input: "newpw\n"),
        Step(arguments: ["user", "passwd", "nobody", "--interactive=false"], input: "x\n"),
        Step(arguments: ["role", "delete", "reader"]),
        Step(arguments: ["role", "delete", "reader"]),
        Step(arguments: ["user", "get", "alice"]),
        Step(arguments: ["user", "delete", "alice"]),
        Step(arguments: ["user", "delete", "alice"]),
        Step(arguments: ["user", "add", "root:rootpw"]),
        Step(arguments: ["user", "grant-role", "root", "root"]),
        Step(arguments: ["role", "get", "root"]),
        Step(arguments: ["user", "get", "root"]),
        Step(arguments: ["auth", "disable"]),
        Step(arguments: ["get", "foo", "--user", "root:rootpw"]),
    ]

    @Test func etcdctlPrintsTheSameForOurMemberAsForGoEtcd() async throws {
        let goEtcd = try Binaries.system("etcd")
        try await Self.compare(Self.script, ours: Binaries.etcd, theirs: goEtcd)
    }

    /// Runs `script` against a member of `ours` and one of `theirs` and expects the same transcript.
    static func compare(_ script: [Step], ours: URL, theirs: URL) async throws {
        let ourLines = try await Self.transcript(script, executable: ours)
        let theirLines = try await Self.transcript(script, executable: theirs)
        #expect(ourLines.count == theirLines.count)
        for (index, step) in script.enumerated() where index < min(ourLines.count, theirLines.count) {
            #expect(ourLines[index] == theirLines[index], "etcdctl \(step)")
        }
    }

    /// What etcdctl prints for each step of `script` against a fresh one-member cluster of `executable`
    /// (started with `memberArguments` too), masked.
    static func transcript(_ script: [Step], executable: URL, memberArguments: [String] = []) async throws -> [String] {
        let member = try MemberProcess(arguments: memberArguments, executable: executable)
        try await member.waitUntilServing()
        let etcdctl = try Binaries.system("etcdctl")
        let endpoint = "127.0.0.1:\(member.clientPort)"
        var masks = Masks(clientPort: member.clientPort, peerPort: member.peerPort)
        var outputs: [String] = []
        for step in script {
            var arguments = ["--endpoints=\(endpoint)", "--command-timeout=5s"]
            arguments += step.arguments.map { $0 == "NEWMEMBER" ? masks.newMember ?? "0" : $0 }
            let environment = ["ETCDCTL_API": "3", "PATH": "/usr/bin:/bin"]
            let result: ProgramResult
            if let seconds = step.watchSeconds {
                result = try await ProcessRunner.run(
                    URL(fileURLWithPath: "/usr/bin/timeout"),
                    ["\(seconds)", etcdctl.path] + arguments,
                    environment: environment
                )
            } else {
                result = try await ProcessRunner.run(etcdctl, arguments, environment: environment, input: step.input)
            }
            masks.learn(from: result.standardOutput)
            let errors = result.standardError.split(separator: "\n").filter { !$0.hasPrefix("{") }.joined(separator: "\n")
            let printed = masks.apply(to: result.standardOutput)
            let ordered = step.unordered ? printed.split(separator: "\n").sorted().joined(separator: "\n") : printed
            outputs.append("status \(result.status)\n\(ordered)\(masks.apply(to: errors))")
        }
        _ = try await member.terminate()
        return outputs
    }

    /// Replaces what legitimately differs between two clusters with placeholders.
    struct Masks {
        let clientPort: Int
        let peerPort: Int
        /// The id (hex) of the member the script adds, once added.
        var newMember: String?

        mutating func learn(from output: String) {
            if let match = output.firstMatch(of: /Member +([0-9a-f]+) added to cluster/) {
                self.newMember = String(match.1)
            }
        }

        func apply(to text: String) -> String {
            var text = text
            text = text.replacingOccurrences(of: "\(self.clientPort)", with: "<CLIENT-PORT>")
            text = text.replacingOccurrences(of: "\(self.peerPort)", with: "<PEER-PORT>")
            text = text.replacing(/[ ]*\b[0-9a-f]{13,16}\b/, with: " <ID>")
            text = text.replacing(/"(cluster_id|member_id|ID|leader|id|lease)":[1-9][0-9]*/) { "\"\($0.1)\":<ID>" }
            text = text.replacing(/\b3\.[45]\.[0-9]+\b/, with: "<VERSION>")
            text = text.replacing(/[0-9.]+ [kM]B/, with: "<SIZE>")
            text = text.replacing(/took = [0-9.]+[µm]?s/, with: "took = <TIME>")
            text = text.replacing(/\| +[0-9]+ \| +[0-9]+ \| +\|\n/, with: "| <RAFT-INDEX> | <APPLIED-INDEX> | |\n")
            text = text.replacing(/-{2,}/, with: "-").replacing(/[ ]{2,}/, with: " ")
            text = text.replacing(/ETCD_INITIAL_CLUSTER="([^"]*)"/) { match in
                "ETCD_INITIAL_CLUSTER=\"\(match.1.split(separator: ",").sorted().joined(separator: ","))\""
            }
            text = text.replacing(/remaining\([0-9]+s\)/, with: "remaining(<TTL>)")
            return text
        }
    }
}
