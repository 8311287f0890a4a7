import Auth
import Testing

/// bcrypt through libxcrypt: Go's `$2a$` hashes verify, ours are Go's shape, wrong passwords and other
/// texts never match.
@Suite struct PasswordHashTests {
    /// What Go etcd 3.4 stored in `authUsers` for `etcdctl user add u:pass` (golang.org/x/crypto, cost 10).
    static let goHash = Array("$2a$10$Bdd3WEf/y17gljaDVDdOgOCAkEYjgpi3W09VsudlUR72mb7S1fO9q".utf8)

    @Test func goEtcdsHashVerifies() {
        #expect(PasswordHash.matches("pass", hash: Self.goHash))
        #expect(!PasswordHash.matches("Pass", hash: Self.goHash))
    }

    @Test func ourHashesHaveGosShapeAndVerify() throws {
        let hash = try PasswordHash.make("s3cret", cost: 4)
        #expect(hash.count == 60)
        #expect(hash.starts(with: Array("$2a$04$".utf8)))
        #expect(PasswordHash.matches("s3cret", hash: hash))
        #expect(!PasswordHash.matches("s3creT", hash: hash))
        #expect(try PasswordHash.make("s3cret", cost: 4) != hash, "every hash has its own salt")
    }

    @Test func otherTextsNeverMatch() {
        #expect(!PasswordHash.matches("", hash: []))
        #expect(!PasswordHash.matches("x", hash: Array("plain".utf8)))
        #expect(!PasswordHash.matches("x", hash: Array(repeating: 0x24, count: 60)))
    }
}
