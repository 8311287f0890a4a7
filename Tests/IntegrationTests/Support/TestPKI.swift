import Foundation

/// A throwaway PKI made with openssl (P-256), as research/auth-tls.md 5.2 describes: a CA, a server
/// certificate for `127.0.0.1` and `localhost`, client certificates for `root` and `alice`, and a second CA
/// that signed none of them. Removed with the value.
final class TestPKI: Sendable {
    let directory: Scratch

    init() async throws {
        self.directory = try Scratch()
        try await self.makeCA("ca", subject: "/CN=test-ca")
        try await self.makeCA("other-ca", subject: "/CN=other-ca")
        try await self.sign("server", subject: "/CN=etcd-server", extensions: Self.serverExtensions)
        for user in ["root", "alice"] {
            try await self.sign(user, subject: "/CN=\(user)", extensions: [
                "extendedKeyUsage=clientAuth", "keyUsage=critical,digitalSignature,keyEncipherment",
            ])
        }
    }

    /// The path of `name` (`ca.crt`, `server.key`, `alice.crt`, …).
    func path(_ name: String) -> String {
        self.directory.path + "/" + name
    }

    private func makeCA(_ name: String, subject: String) async throws {
        try await self.openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", self.path("\(name).key"),
            "-out", self.path("\(name).crt"), "-days", "3650", "-subj", subject,
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
    }

    /// The extensions of a server certificate for `127.0.0.1` and `localhost`.
    static let serverExtensions = [
        "subjectAltName=IP:127.0.0.1,DNS:localhost", "extendedKeyUsage=serverAuth,clientAuth",
        "keyUsage=critical,digitalSignature,keyEncipherment",
    ]

    /// Makes `name.key` and `name.crt` for `subject`, signed by the CA named `ca`, valid for `days` (a
    /// negative count makes a certificate that has already expired).
    func sign(_ name: String, subject: String, extensions: [String], ca: String = "ca", days: Int = 825) async throws {
        try await self.openssl([
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", self.path("\(name).key"),
            "-out", self.path("\(name).csr"), "-subj", subject,
        ])
        try extensions.joined(separator: "\n").write(toFile: self.path("\(name).ext"), atomically: true, encoding: .utf8)
        try await self.openssl([
            "x509", "-req", "-in", self.path("\(name).csr"), "-CA", self.path("\(ca).crt"), "-CAkey", self.path("\(ca).key"),
            "-CAcreateserial", "-days", "\(days)", "-out", self.path("\(name).crt"), "-extfile", self.path("\(name).ext"),
        ])
    }

    /// Revokes `name.crt` in the CA's database and writes the CA's revocation list to `crl.pem`.
    func revoke(_ name: String) async throws {
        let configuration = """
            [ca]
            default_ca = test
            [test]
            database = \(self.path("index.txt"))
            crlnumber = \(self.path("crlnumber"))
            default_md = sha256
            default_crl_days = 30
            """
        try configuration.write(toFile: self.path("ca.cnf"), atomically: true, encoding: .utf8)
        try "".write(toFile: self.path("index.txt"), atomically: true, encoding: .utf8)
        try "01\n".write(toFile: self.path("crlnumber"), atomically: true, encoding: .utf8)
        let signer = ["-config", self.path("ca.cnf"), "-keyfile", self.path("ca.key"), "-cert", self.path("ca.crt")]
        try await self.openssl(["ca"] + signer + ["-revoke", self.path("\(name).crt")])
        try await self.openssl(["ca"] + signer + ["-gencrl", "-out", self.path("crl.pem")])
    }

    private func openssl(_ arguments: [String]) async throws {
        let result = try await ProcessRunner.run(try Binaries.system("openssl"), arguments)
        guard result.status == 0 else { throw OpenSSLFailed(arguments: arguments, output: result.standardError) }
    }

    struct OpenSSLFailed: Error, CustomStringConvertible {
        let arguments: [String]
        let output: String
        var description: String { "openssl \(self.arguments.joined(separator: " ")) failed: \(self.output)" }
    }
}
