import EtcdClient
import EtcdProto
import Foundation
import Testing

/// Our client side (etcdctl, etcd-ops, EtcdClient) with TLS and credentials, against Go etcd 3.4: the same
/// etcdctl command lines print what Go etcdctl 3.4 prints, with its exit codes; certificates are checked as
/// Go checks them; a client with credentials re-authenticates when its token expires and watches with it.
@Suite(.serialized) struct ClientTLSAuthTests {
    /// One command line for both etcdctls, and how much of the outcome must match: everything, or (for a
    /// connection that cannot be made, where Go waits and logs differently) that both fail the same way.
    struct Step: CustomStringConvertible {
        let arguments: [String]
        var environment: [String: String] = [:]
        var input = ""
        var exact = true
        var description: String { self.arguments.joined(separator: " ") }
    }

    /// Runs `step` with Go's etcdctl and ours and checks their outcomes agree.
    private func compare(_ step: Step, endpoint: String) async throws {
        var outcomes: [ProgramResult] = []
        // Steps that must connect get room for bcrypt and a busy machine; those that cannot connect fail fast.
        let timeout = step.exact ? "5s" : "1s"
        for etcdctl in [try Binaries.system("etcdctl"), Binaries.etcdctl] {
            let result = try await ProcessRunner.run(
                etcdctl, ["--endpoints=\(endpoint)", "--dial-timeout=\(timeout)", "--command-timeout=\(timeout)"] + step.arguments,
                environment: ["ETCDCTL_API": "3", "PATH": "/usr/bin:/bin"].merging(step.environment) { _, new in new },
                input: step.input
            )
            outcomes.append(result)
        }
        let (go, ours) = (outcomes[0], outcomes[1])
        #expect(go.status == ours.status, "\(step): status \(go.status) vs \(ours.status); ours said \(ours.standardError)")
        guard step.exact else {
            #expect(go.status != 0, "\(step) should fail")
            return
        }
        #expect(go.standardOutput == ours.standardOutput, "\(step)")
        #expect(Self.errors(go.standardError) == Self.errors(ours.standardError), "\(step)")
    }

    /// What etcdctl wrote to standard error, without Go's JSON log lines and stty's complaints about a
    /// password read from a pipe.
    private static func errors(_ text: String) -> [Substring] {
        text.split(separator: "\n").filter { !$0.hasPrefix("{") && !$0.hasPrefix("stty:") }
    }

    @Test func mutualTLSAsGoEtcdctlSpeaksIt() async throws {
        let pki = try await TestPKI()
        let member = try await GoMember.start(scheme: "https", arguments: [
            "--cert-file", pki.path("server.crt"), "--key-file", pki.path("server.key"),
            "--trusted-ca-file", pki.path("ca.crt"), "--client-cert-auth",
        ])
        let secure = "https://127.0.0.1:\(member.clientPort)"
        let identity = ["--cacert", pki.path("ca.crt"), "--cert", pki.path("root.crt"), "--key", pki.path("root.key")]
        let steps: [(String, Step)] = [
            (secure, Step(arguments: identity + ["put", "foo", "bar"])),
            (secure, Step(arguments: identity + ["get", "foo"])),
            (secure, Step(arguments: identity + ["-w", "fields", "get", "foo", "--print-value-only"])),
            ("127.0.0.1:\(member.clientPort)", Step(arguments: identity + ["get", "foo"])),
            ("https://localhost:\(member.clientPort)", Step(arguments: identity + ["get", "foo"])),
            (secure, Step(arguments: identity + ["--user", "alice:pw", "get", "foo"])),
            (
                secure,
                Step(arguments: ["get", "foo"], environment: [
                    "ETCDCTL_CACERT": pki.path("ca.crt"), "ETCDCTL_CERT": pki.path("root.crt"), "ETCDCTL_KEY": pki.path("root.key"),
                ])
            ),
            (secure, Step(arguments: ["--cert", pki.path("root.crt"), "--key", pki.path("root.key"), "--insecure-skip-tls-verify", "get", "foo"])),
            (
                "127.0.0.1:\(member.clientPort)",
                Step(arguments: ["--insecure-transport=false", "--insecure-skip-tls-verify", "--cert", pki.path("root.crt"), "--key", pki.path("root.key"), "get", "foo"])
            ),
            (secure, Step(arguments: ["--cert", pki.path("root.crt"), "get", "foo"])),
            (secure, Step(arguments: ["--key", pki.path("root.key"), "get", "foo"])),
            (secure, Step(arguments: ["--cacert", "", "get", "foo"])),
            (secure, Step(arguments: ["--cacert", pki.path("missing.crt"), "get", "foo"])),
            (secure, Step(arguments: ["--cacert", pki.path("ca.crt"), "get", "foo"], exact: false)),
            (secure, Step(arguments: ["--cacert", pki.path("other-ca.crt"), "--cert", pki.path("root.crt"), "--key", pki.path("root.key"), "get", "foo"], exact: false)),
            (secure, Step(arguments: ["--insecure-skip-tls-verify", "get", "foo"], exact: false)),
            ("http://127.0.0.1:\(member.clientPort)", Step(arguments: identity + ["get", "foo"], exact: false)),
        ]
        for (endpoint, step) in steps { try await self.compare(step, endpoint: endpoint) }

        let settings = try ClientTLS(caFile: pki.path("ca.crt"), certFile: pki.path("root.crt"), keyFile: pki.path("root.key"))
        let metrics = try MemberHTTP.get(endpoint: secure, path: "/metrics", tls: settings)
        #expect(metrics.contains("process_resident_memory_bytes"))
        #expect(throws: MemberHTTPError.self) { try MemberHTTP.get(endpoint: secure, path: "/health", tls: try ClientTLS(caFile: pki.path("ca.crt"))) }
        let status = try await ProcessRunner.run(Binaries.etcdOps, ["status", "--endpoints", secure] + identity)
        #expect(status.status == 0 && status.standardOutput.contains("| healthy |"), "\(status)")
        #expect(status.standardOutput.contains("0.0%"), "the quota column comes from /metrics over TLS: \(status.standardOutput)")
        _ = try await member.terminate()
    }

    @Test func credentialsAsGoEtcdctlUsesThem() async throws {
        let member = try await GoMember.start(scheme: "http", arguments: [])
        let endpoint = "127.0.0.1:\(member.clientPort)"
        for setup in [
            "user add root:rootpw", "user add alice:pw", "role add app", "role grant-permission app --prefix readwrite app/",
            "user grant-role alice app", "auth enable",
        ] {
            let result = try await Etcdctl.run([endpoint], setup.split(separator: " ").map(String.init))
            try #require(result.status == 0, "\(setup): \(result.standardError)")
        }
        let steps = [
            Step(arguments: ["--user", "alice:pw", "put", "app/x", "1"]),
            Step(arguments: ["--user", "alice:pw", "get", "app/x"]),
            Step(arguments: ["--user", "alice:pw", "get", "app/", "--prefix", "-w", "json"]),
            Step(arguments: ["--user", "alice:pw", "put", "other", "1"]),
            Step(arguments: ["--user", "alice:pw", "get", "other"]),
            Step(arguments: ["--user", "alice:wrong", "get", "app/x"]),
            Step(arguments: ["--user", "nobody:pw", "get", "app/x"]),
            Step(arguments: ["--user", "alice:pw:extra", "get", "app/x"]),
            Step(arguments: ["--user", "alice:", "get", "app/x"]),
            Step(arguments: ["get", "app/x"]),
            Step(arguments: ["--user", "alice", "--password", "pw", "get", "app/x"]),
            Step(arguments: ["--user", "alice", "get", "app/x"], input: "pw\n"),
            Step(arguments: ["get", "app/x"], environment: ["ETCDCTL_USER": "alice:pw"]),
            Step(arguments: ["get", "app/x"], environment: ["ETCDCTL_USER": "alice", "ETCDCTL_PASSWORD": "pw"]),
            Step(arguments: ["--user", "root:rootpw", "user", "get", "alice"]),
            Step(arguments: ["--user", "alice:pw", "user", "list"]),
        ]
        for step in steps { try await self.compare(step, endpoint: endpoint) }
        _ = try await member.terminate()
    }

    @Test func aClientReauthenticatesWhenItsTokenExpiresAndWatchesWithCredentials() async throws {
        let member = try await GoMember.start(scheme: "http", arguments: ["--auth-token-ttl", "2"])
        let endpoint = "127.0.0.1:\(member.clientPort)"
        for setup in ["user add root:rootpw", "user add alice:pw", "role add app", "role grant-permission app --prefix readwrite app/", "user grant-role alice app", "auth enable"] {
            let result = try await Etcdctl.run([endpoint], setup.split(separator: " ").map(String.init))
            try #require(result.status == 0, "\(setup): \(result.standardError)")
        }
        var configuration = ClientConfiguration(endpoints: [try Endpoint(parsing: endpoint)])
        configuration.requestTimeout = .seconds(5)
        configuration.credentials = Credentials(user: "alice", password: "pw")
        let client = try EtcdClient(configuration: configuration)
        _ = try await client.put("app/a", "1")
        // Each Authenticate is one Raft entry and reads add none, so the index counts authentications.
        let before = try await client.status().raftIndex
        try await Task.sleep(for: .seconds(4))
        let reads = try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<8 { group.addTask { try await client.get("app/a").map { String(decoding: $0.value, as: UTF8.self) } } }
            var values: [String?] = []
            for try await value in group { values.append(value) }
            return values
        }
        #expect(reads == Array(repeating: "1", count: 8), "calls after the token expired")
        #expect(try await client.status().raftIndex == before + 1, "eight calls refused at once authenticate once")
        await #expect(throws: EtcdError.permissionDenied) { _ = try await client.put("other", "1") }

        let events = client.watch(Array("app/".utf8), options: .prefix(of: Array("app/".utf8)))
        let writer = Task {
            try await Task.sleep(for: .milliseconds(500))
            _ = try await client.put("app/w", "seen")
        }
        var seen: [String] = []
        for try await response in events {
            seen += response.events.map { String(decoding: $0.kv.value, as: UTF8.self) }
            if !seen.isEmpty { break }
        }
        try await writer.value
        #expect(seen == ["seen"])

        var wrong = configuration
        wrong.credentials = Credentials(user: "alice", password: "nope")
        let refused = try EtcdClient(configuration: wrong)
        await #expect(throws: EtcdError.authFailed) { try await refused.authenticate() }
        await refused.close()
        await client.close()
        _ = try await member.terminate()
    }
}
