import EtcdMain
import Foundation
import Membership
import Testing

/// `--auth-token` as etcd reads it: option syntax, `jwt`'s required sign method, TTL and key files.
@Suite struct AuthTokenKindTests {
    static let invalid = ConfigurationError("auth: invalid auth options")

    @Test func optionsAreOneKeyEqualsValueEach() throws {
        guard case .simple = try AuthTokenKind(parsing: "simple,anything=goes") else { Issue.record("simple"); return }
        guard case .none = try AuthTokenKind(parsing: "") else { Issue.record("none"); return }
        for text in ["simple,a=b=c", "simple,a", "simple,a=1,a=2", "jwt", "jwt,sign-method=RS257", "other", "jwt,sign-method=HS256,ttl=5"] {
            #expect(throws: Self.invalid, "\(text)") { try AuthTokenKind(parsing: text) }
        }
    }

    @Test func jwtReadsItsKeyFilesAndKeepsUnknownKeysForAWarning() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("jwt-\(UUID().uuidString).key").path
        try Data("a shared secret".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard case .jwt(let options) = try AuthTokenKind(parsing: "jwt,priv-key=\(path),sign-method=HS256,ttl=1m30s,zeta=1,alpha=2")
        else { Issue.record("not jwt"); return }
        #expect(options.tokens.ttl == .seconds(90) && options.tokens.key.method == .hs256)
        #expect(options.unknownKeys == ["alpha", "zeta"])
        guard case .jwt(let defaults) = try AuthTokenKind(parsing: "jwt,priv-key=\(path),sign-method=HS512") else { return }
        #expect(defaults.tokens.ttl == .seconds(300))

        #expect(throws: ConfigurationError("auth: missing key data")) { try AuthTokenKind(parsing: "jwt,pub-key=\(path),sign-method=HS256") }
        let missing = path + ".absent"
        #expect(throws: ConfigurationError("auth: invalid auth options: cannot read the priv-key file \(missing): No such file or directory")) {
            try AuthTokenKind(parsing: "jwt,priv-key=\(missing),sign-method=HS256")
        }
    }
}
