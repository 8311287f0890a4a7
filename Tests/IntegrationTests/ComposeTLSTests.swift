import Foundation
import Testing

/// The TLS variant of the compose cluster (compose/tls.yml over docker-compose.yml) on a real Docker engine:
/// members on https with mutual TLS between peers and with clients, auth enabled as README.md says, then
/// Go etcdctl from the host refused without a client certificate, refused writes as a user without
/// permission, served as root; the backup service backs up through TLS as root by certificate.
@Suite(.serialized, .timeLimit(.minutes(10))) struct ComposeTLSTests {
    @Test func tlsAndAuthUnderCompose() async throws {
        let pki = try Scratch()
        let made = try await ProcessRunner.run(
            Binaries.system("bash"), [PrometheusServer.repositoryRoot.appendingPathComponent("compose/tls/make-certs.sh").path, pki.path]
        )
        try #require(made.status == 0, "make-certs.sh: \(made.standardError)")
        let (project, ports) = try await ComposeClusterTests.startedProject(
            overrides: ["tls.yml"], variables: ["ETCD_PKI_DIR": pki.path], services: ComposeClusterTests.members
        )
        try await project.waitUntilHealthy(ComposeClusterTests.members)

        // README.md's two commands: root (by certificate, no password), then auth on.
        for command in [["etcdctl", "user", "add", "root", "--no-password"], ["etcdctl", "auth", "enable"]] {
            let result = try await project.exec("etcd-1", command)
            #expect(result.status == 0, "\(command.joined(separator: " ")): \(result.standardOutput) \(result.standardError)")
        }

        let endpoint = "https://127.0.0.1:\(ports[1])"
        let ca = "--cacert=\(pki.path)/ca.crt"
        func etcdctl(_ arguments: [String]) async throws -> ProgramResult {
            try await Etcdctl.run([endpoint], [ca] + arguments)
        }
        let asRoot = try await etcdctl(["--cert=\(pki.path)/root.crt", "--key=\(pki.path)/root.key", "put", "tls-key", "secret"])
        #expect(asRoot.status == 0, "root by certificate: \(asRoot.standardError)")
        let anonymous = try await etcdctl(["get", "tls-key"])
        #expect(anonymous.status != 0, "no client certificate: refused")
        let member = try await etcdctl(["--cert=\(pki.path)/member.crt", "--key=\(pki.path)/member.key", "put", "tls-key", "other"])
        #expect(member.standardError.contains("etcdserver: permission denied"), "a certificate naming no user with rights: \(member.standardError)")
        let read = try await project.exec("etcd-3", ["etcdctl", "get", "tls-key", "--print-value-only"])
        #expect(read.standardOutput == "secret\n", "\(read.standardOutput) \(read.standardError)")

        try await project.run(["up", "--detach", "prometheus", "backup"])
        try await ComposeClusterTests.waitForTargets(PrometheusAPI(port: ports[3]), count: 4)
        let backup = try await ComposeClusterTests.waitForBackup(project)
        let verified = try await project.exec("backup", ["etcd-ops", "verify", backup])
        #expect(verified.status == 0, "etcd-ops verify \(backup): \(verified.standardOutput) \(verified.standardError)")
        // The certificates stay until the project is gone (its containers mount them).
        withExtendedLifetime((project, pki)) {}
    }
}
