import Foundation
import ProcessTestSupport
import Testing

/// The member over TLS, checked with real clients and certificates made by openssl (``TestPKI``): Go
/// etcdctl 3.4 against a three-member cluster with client and peer mutual TLS, Prometheus scraping
/// `/metrics` over TLS, a client without a certificate or a peer signed by another CA refused, bad
/// configurations stopping the member with one line naming the file, rotated certificates used by new
/// connections, a revoked client certificate refused, self-signed certificates with `--auto-tls`, and the
/// certificate's Common Name as the user.
@Suite(.serialized) struct MemberTLSTests {
    private static let environment = ["ETCDCTL_API": "3", "PATH": "/usr/bin:/bin"]

    /// Go etcdctl 3.4 against `endpoints` with the PKI's CA and the client certificate `user`.
    static func etcdctl(_ pki: TestPKI, _ endpoints: [Int], user: String? = "root", ca: String = "ca", _ arguments: [String]) async throws -> ProgramResult {
        var flags = ["--endpoints=" + endpoints.map { "https://127.0.0.1:\($0)" }.joined(separator: ","), "--command-timeout=3s", "--dial-timeout=2s"]
        flags += ["--cacert", pki.path("\(ca).crt")]
        if let user { flags += ["--cert", pki.path("\(user).crt"), "--key", pki.path("\(user).key")] }
        return try await ProcessRunner.run(try Binaries.system("etcdctl"), flags + arguments, environment: Self.environment)
    }

    /// Waits until `endpoint health` succeeds through every endpoint.
    static func waitUntilHealthy(_ pki: TestPKI, _ ports: [Int], members: [MemberProcess]) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            for member in members where !member.isRunning { throw MemberProcess.MemberFailed(reason: "exited", log: member.log) }
            if try await Self.etcdctl(pki, ports, ["endpoint", "health"]).status == 0 { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw MemberProcess.MemberFailed(reason: "not healthy over TLS", log: members.first?.log ?? "")
    }

    static func tlsArguments(_ pki: TestPKI, cert: String = "server") -> [String] {
        [
            "--cert-file", pki.path("\(cert).crt"), "--key-file", pki.path("\(cert).key"), "--trusted-ca-file", pki.path("ca.crt"),
            "--client-cert-auth",
        ]
    }

    static func peerArguments(_ pki: TestPKI, cert: String = "server", ca: String = "ca.crt") -> [String] {
        [
            "--peer-cert-file", pki.path("\(cert).crt"), "--peer-key-file", pki.path("\(cert).key"),
            "--peer-trusted-ca-file", pki.path(ca), "--peer-client-cert-auth",
        ]
    }

    /// One member of a TLS cluster: `https://` client, peer (on `peerHost`) and metrics URLs on the given ports.
    static func member(
        _ name: String, client: Int, peer: Int, metrics: Int, cluster: String, state: String = "new", peerHost: String = "127.0.0.1",
        extra: [String]
    ) throws -> MemberProcess {
        try MemberProcess(
            arguments: [
                "--name", name, "--listen-client-urls", "https://127.0.0.1:\(client)", "--advertise-client-urls", "https://127.0.0.1:\(client)",
                "--listen-peer-urls", "https://\(peerHost):\(peer)", "--initial-advertise-peer-urls", "https://\(peerHost):\(peer)",
                "--initial-cluster", cluster, "--initial-cluster-state", state, "--listen-metrics-urls", "https://127.0.0.1:\(metrics)",
                "--heartbeat-interval", "50", "--election-timeout", "500",
            ] + extra,
            clientPort: client,
            peerPort: peer
        )
    }

    @Test func threeMembersWithClientAndPeerMutualTLS() async throws {
        let pki = try await TestPKI()
        let ports = try (0..<3).map { _ in (client: try FreePort.next(), peer: try FreePort.next(), metrics: try FreePort.next()) }
        let cluster = ports.enumerated().map { "m\($0.offset)=https://127.0.0.1:\($0.element.peer)" }.joined(separator: ",")
        let members = try ports.enumerated().map { index, port in
            try Self.member("m\(index)", client: port.client, peer: port.peer, metrics: port.metrics, cluster: cluster,
                            extra: Self.tlsArguments(pki) + Self.peerArguments(pki))
        }
        let clientPorts = ports.map(\.client)
        try await Self.waitUntilHealthy(pki, clientPorts, members: members)

        let put = try await Self.etcdctl(pki, [clientPorts[0]], ["put", "tls-key", "over-tls"])
        #expect(put.standardOutput == "OK\n", "\(put)")
        for port in clientPorts {
            let get = try await Self.etcdctl(pki, [port], ["get", "tls-key", "--print-value-only", "--consistency=s"])
            #expect(get.standardOutput == "over-tls\n", "\(get)")
        }
        let list = try await Self.etcdctl(pki, clientPorts, ["member", "list"])
        #expect(list.standardOutput.split(separator: "\n").count == 3 && list.standardOutput.contains("https://127.0.0.1:\(ports[0].peer)"), "\(list)")

        let anonymous = try await Self.etcdctl(pki, [clientPorts[0]], user: nil, ["get", "tls-key"])
        #expect(anonymous.status != 0, "a client without a certificate is refused: \(anonymous)")
        let untrusted = try await Self.etcdctl(pki, [clientPorts[0]], ca: "other-ca", ["get", "tls-key"])
        #expect(untrusted.status != 0, "a client that does not trust the member's CA fails: \(untrusted)")
        #expect(members[0].log.contains("rejected connection"), "the refused handshake is logged")

        let prometheus = try PrometheusServer(
            targets: ports.map { "127.0.0.1:\($0.metrics)" }, tls: (pki.path("ca.crt"), pki.path("root.crt"), pki.path("root.key"))
        )
        let deadline = ContinuousClock.now + .seconds(30)
        var up = 0.0
        while ContinuousClock.now < deadline, up < 3 {
            try await Task.sleep(for: .milliseconds(500))
            // Prometheus answers 503 until it has started.
            up = (try? await prometheus.query("sum(up)").first?.value) ?? 0
        }
        #expect(up == 3, "Prometheus scrapes all three metrics URLs over TLS: \(prometheus.log.suffix(1500))")
        for member in members { _ = try await member.terminate() }
    }

    /// A founder with peer mTLS (and `founderExtra`) adds a learner, which starts with the peer TLS flags
    /// `joinerPeer` and its peer URL on `joinerHost`; after a few seconds the learner has not joined, and the
    /// founder logged `refusal`. With `refusal` nil, the learner must have joined instead.
    static func expectJoinRefused(
        _ pki: TestPKI, founderExtra: [String] = [], joinerPeer: [String], joinerHost: String = "127.0.0.1", refusal: String?
    ) async throws {
        let first = (client: try FreePort.next(), peer: try FreePort.next(), metrics: try FreePort.next())
        let second = (client: try FreePort.next(), peer: try FreePort.next(), metrics: try FreePort.next())
        let founder = try Self.member(
            "m0", client: first.client, peer: first.peer, metrics: first.metrics, cluster: "m0=https://127.0.0.1:\(first.peer)",
            extra: Self.tlsArguments(pki) + Self.peerArguments(pki) + founderExtra
        )
        try await Self.waitUntilHealthy(pki, [first.client], members: [founder])
        let added = try await Self.etcdctl(
            pki, [first.client], ["member", "add", "m1", "--peer-urls", "https://\(joinerHost):\(second.peer)", "--learner"]
        )
        #expect(added.status == 0, "\(added)")
        let joiner = try Self.member(
            "m1", client: second.client, peer: second.peer, metrics: second.metrics,
            cluster: "m0=https://127.0.0.1:\(first.peer),m1=https://\(joinerHost):\(second.peer)", state: "existing", peerHost: joinerHost,
            extra: Self.tlsArguments(pki) + joinerPeer
        )
        try await Task.sleep(for: .seconds(4))
        let list = try await Self.etcdctl(pki, [first.client], ["member", "list"])
        if let refusal {
            #expect(list.standardOutput.contains(", unstarted, "), "the refused member never joined: \(list)")
            #expect(founder.log.contains(refusal), "\(founder.log.suffix(2000))")
        } else {
            #expect(list.standardOutput.contains(", started, m1, "), "the member joined: \(list) \(founder.log.suffix(1500))")
            #expect(!founder.log.contains("rejected connection"), "\(founder.log.suffix(2000))")
        }
        joiner.kill()
        _ = try await founder.terminate()
    }

    @Test func aPeerWithACertificateFromAnotherCACannotJoin() async throws {
        let pki = try await TestPKI()
        try await pki.sign("stranger", subject: "/CN=stranger", extensions: TestPKI.serverExtensions, ca: "other-ca")
        let bundle = pki.path("both-cas.crt")
        try (String(contentsOfFile: pki.path("ca.crt"), encoding: .utf8) + String(contentsOfFile: pki.path("other-ca.crt"), encoding: .utf8))
            .write(toFile: bundle, atomically: true, encoding: .utf8)
        try await Self.expectJoinRefused(pki, joinerPeer: Self.peerArguments(pki, cert: "stranger", ca: "both-cas.crt"), refusal: "rejected connection")
    }

    @Test func aPeerWhoseCommonNameIsNotAllowedCannotJoin() async throws {
        let pki = try await TestPKI()
        try await pki.sign("other-peer", subject: "/CN=other-peer", extensions: TestPKI.serverExtensions)
        try await Self.expectJoinRefused(
            pki, founderExtra: ["--peer-cert-allowed-cn", "etcd-server"], joinerPeer: Self.peerArguments(pki, cert: "other-peer"),
            refusal: "client certificate authentication failed"
        )
    }

    @Test func badConfigurationStopsTheMemberWithOneLineNamingTheFile() async throws {
        let pki = try await TestPKI()
        try await pki.sign("expired", subject: "/CN=etcd-server", extensions: TestPKI.serverExtensions, days: -1)
        try await pki.sign("foreign", subject: "/CN=etcd-server", extensions: TestPKI.serverExtensions, ca: "other-ca")
        let cases: [(arguments: [String], message: String)] = [
            (["--cert-file", pki.path("missing.crt"), "--key-file", pki.path("server.key")], "open \(pki.path("missing.crt"))"),
            (["--cert-file", pki.path("server.crt"), "--key-file", pki.path("alice.key")], "private key \(pki.path("alice.key")) does not match"),
            (["--cert-file", pki.path("expired.crt"), "--key-file", pki.path("expired.key")], "certificate \(pki.path("expired.crt")) expired"),
            (["--cert-file", pki.path("server.crt")], "KeyFile and CertFile must both be present[key: , cert: \(pki.path("server.crt"))]"),
            (["--cert-file", pki.path("server.crt"), "--key-file", pki.path("server.key"), "--tls-min-version", "TLS1.1"],
             #"unexpected TLS version "TLS1.1" (must be one of: TLS1.2, TLS1.3)"#),
            (["--cert-file", pki.path("server.crt"), "--key-file", pki.path("server.key"), "--cipher-suites", "FOO"],
             #"unexpected TLS cipher suite "FOO""#),
        ]
        for (arguments, message) in cases {
            let port = try FreePort.next()
            let member = try MemberProcess(
                arguments: ["--listen-client-urls", "https://127.0.0.1:\(port)", "--advertise-client-urls", "https://127.0.0.1:\(port)"] + arguments,
                clientPort: port
            )
            let status = try await member.waitForExit(timeout: .seconds(20))
            let logged = message.replacingOccurrences(of: "\"", with: "\\\"")
            #expect(status != 0 && member.log.contains(logged), "\(arguments): \(member.log.suffix(1500))")
        }
        let peerPort = try FreePort.next()
        let foreign = try MemberProcess(
            arguments: [
                "--listen-peer-urls", "https://127.0.0.1:\(peerPort)", "--initial-advertise-peer-urls", "https://127.0.0.1:\(peerPort)",
                "--initial-cluster", "default=https://127.0.0.1:\(peerPort)",
            ] + Self.peerArguments(pki, cert: "foreign"),
            peerPort: peerPort
        )
        let status = try await foreign.waitForExit(timeout: .seconds(20))
        #expect(status != 0 && foreign.log.contains("certificate is not signed by a CA in \(pki.path("ca.crt"))"), "\(foreign.log.suffix(1500))")
    }

    @Test func aPeerCertificateThroughAnIntermediateCAIsAccepted() async throws {
        let pki = try await TestPKI()
        try await pki.sign("intermediate", subject: "/CN=intermediate", extensions: ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign"])
        try await pki.sign("chained", subject: "/CN=etcd-peer", extensions: TestPKI.serverExtensions, ca: "intermediate")
        let bundle = pki.path("chained-bundle.crt")
        try (String(contentsOfFile: pki.path("chained.crt"), encoding: .utf8) + String(contentsOfFile: pki.path("intermediate.crt"), encoding: .utf8))
            .write(toFile: bundle, atomically: true, encoding: .utf8)
        let peerPort = try FreePort.next()
        let member = try MemberProcess(
            arguments: [
                "--listen-peer-urls", "https://127.0.0.1:\(peerPort)", "--initial-advertise-peer-urls", "https://127.0.0.1:\(peerPort)",
                "--initial-cluster", "default=https://127.0.0.1:\(peerPort)", "--peer-cert-file", bundle, "--peer-key-file", pki.path("chained.key"),
                "--peer-trusted-ca-file", pki.path("ca.crt"), "--peer-client-cert-auth",
            ],
            peerPort: peerPort
        )
        try await member.waitUntilServing()
        _ = try await member.terminate()
    }

    @Test func newConnectionsUseRotatedCertificates() async throws {
        let pki = try await TestPKI()
        try await pki.sign("rotated", subject: "/CN=etcd-server", extensions: TestPKI.serverExtensions, ca: "other-ca")
        let served = try Scratch()
        for file in ["crt", "key"] { try FileManager.default.copyItem(atPath: pki.path("server.\(file)"), toPath: served.path + "/live.\(file)") }
        let port = try FreePort.next()
        let member = try MemberProcess(
            arguments: [
                "--listen-client-urls", "https://127.0.0.1:\(port)", "--advertise-client-urls", "https://127.0.0.1:\(port)",
                "--cert-file", served.path + "/live.crt", "--key-file", served.path + "/live.key",
            ],
            clientPort: port
        )
        try await Self.waitUntilHealthy(pki, [port], members: [member])
        #expect(try await Self.etcdctl(pki, [port], user: nil, ca: "other-ca", ["put", "k", "v"]).status != 0)
        for file in ["crt", "key"] {
            let target = served.path + "/live.\(file)"
            try FileManager.default.removeItem(atPath: target)
            try FileManager.default.copyItem(atPath: pki.path("rotated.\(file)"), toPath: target)
        }
        let rotated = try await Self.etcdctl(pki, [port], user: nil, ca: "other-ca", ["put", "k", "v"])
        #expect(rotated.standardOutput == "OK\n", "the new certificate serves new connections: \(rotated)")
        #expect(try await Self.etcdctl(pki, [port], user: nil, ["put", "k", "v"]).status != 0, "the old CA no longer verifies it")
        _ = try await member.terminate()
    }

    @Test func aRevokedClientCertificateIsRefused() async throws {
        let pki = try await TestPKI()
        try await pki.revoke("alice")
        let port = try FreePort.next()
        let member = try MemberProcess(
            arguments: ["--listen-client-urls", "https://127.0.0.1:\(port)", "--advertise-client-urls", "https://127.0.0.1:\(port)"]
                + Self.tlsArguments(pki) + ["--client-crl-file", pki.path("crl.pem")],
            clientPort: port
        )
        try await Self.waitUntilHealthy(pki, [port], members: [member])
        #expect(try await Self.etcdctl(pki, [port], ["put", "k", "v"]).standardOutput == "OK\n", "root's certificate is not revoked")
        let revoked = try await Self.etcdctl(pki, [port], user: "alice", ["get", "k"])
        #expect(revoked.status != 0, "\(revoked)")
        #expect(member.log.contains("revoked"), "\(member.log.suffix(1500))")
        _ = try await member.terminate()
    }

    @Test func autoTLSMakesASelfSignedCertificateInTheDataDirectory() async throws {
        let data = try Scratch()
        let port = try FreePort.next()
        let member = try MemberProcess(
            arguments: [
                "--data-dir", data.path, "--listen-client-urls", "https://127.0.0.1:\(port)", "--advertise-client-urls", "https://127.0.0.1:\(port)",
                "--auto-tls",
            ],
            clientPort: port
        )
        let flags = ["--endpoints=https://127.0.0.1:\(port)", "--insecure-transport=false", "--insecure-skip-tls-verify", "--command-timeout=3s"]
        var put = ProgramResult(status: -1, standardOutput: "", standardError: "")
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline, put.status != 0 {
            put = try await ProcessRunner.run(try Binaries.system("etcdctl"), flags + ["put", "auto", "tls"], environment: Self.environment)
        }
        #expect(put.standardOutput == "OK\n", "\(put) \(member.log.suffix(3000))")
        let certificate = try String(contentsOfFile: data.path + "/fixtures/client/cert.pem", encoding: .utf8)
        #expect(certificate.hasPrefix("-----BEGIN CERTIFICATE-----"))
        let text = try await ProcessRunner.run(try Binaries.system("openssl"), ["x509", "-in", data.path + "/fixtures/client/cert.pem", "-noout", "-text"])
        #expect(text.standardOutput.contains("O = etcd") && text.standardOutput.contains("IP Address:127.0.0.1"), "\(text.standardOutput)")
        #expect(text.standardOutput.contains("NIST CURVE: P-521"), "\(text.standardOutput)")
        _ = try await member.terminate()
    }

    @Test func theCertificatesCommonNameIsTheUserWhenAuthIsOn() async throws {
        let pki = try await TestPKI()
        let port = try FreePort.next()
        let member = try MemberProcess(
            arguments: ["--listen-client-urls", "https://127.0.0.1:\(port)", "--advertise-client-urls", "https://127.0.0.1:\(port)"]
                + Self.tlsArguments(pki),
            clientPort: port
        )
        try await Self.waitUntilHealthy(pki, [port], members: [member])
        for command in [
            ["user", "add", "root:rootpw"], ["user", "add", "alice", "--no-password"], ["role", "add", "app"],
            ["role", "grant-permission", "app", "readwrite", "app/", "--prefix"], ["user", "grant-role", "alice", "app"], ["auth", "enable"],
        ] {
            let result = try await Self.etcdctl(pki, [port], command)
            #expect(result.status == 0, "\(command): \(result)")
        }
        #expect(try await Self.etcdctl(pki, [port], ["put", "anything", "root-may"]).standardOutput == "OK\n")
        #expect(try await Self.etcdctl(pki, [port], user: "alice", ["put", "app/x", "1"]).standardOutput == "OK\n")
        let denied = try await Self.etcdctl(pki, [port], user: "alice", ["put", "other", "1"])
        #expect(denied.standardError.contains("Error: etcdserver: permission denied"), "\(denied)")
        let password = try await Self.etcdctl(pki, [port], user: "alice", ["--user", "root:rootpw", "get", "other", "--print-value-only"])
        #expect(password.status == 0, "a token wins over the certificate: \(password)")
        _ = try await member.terminate()
    }
}
