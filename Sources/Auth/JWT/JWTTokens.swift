import EtcdProto
import Foundation
import GoFormat

/// etcd's `jwt` token provider: a token is a compact JWS, header `{"alg":…,"typ":"JWT"}`, claims
/// `{"exp":…,"revision":…,"username":…}` (keys in Go's sorted order), so any member holding the key can
/// check it without the log and without state. A token names its user at the auth revision it was signed
/// at: after any auth change, key checks refuse it as "revision of auth store is old" and the client
/// authenticates again. It lives ``ttl`` from signing, however often it is used.
///
/// Pure: the caller passes the time; any thread.
public struct JWTTokens: Sendable {
    /// etcd's default `ttl` option (5m).
    public static let defaultTTL = Duration.seconds(300)

    public let key: JWTKey
    /// How long a token is valid after signing.
    public let ttl: Duration

    public init(key: JWTKey, ttl: Duration = Self.defaultTTL) {
        self.key = key
        self.ttl = ttl
    }

    /// A token for `user` at auth `revision`, expiring ``ttl`` after `now` (whole seconds, as Go's `Unix()`
    /// truncates). Throws etcd's verify-only error when the member has only the public key.
    public func token(user: String, revision: UInt64, now: Date) throws(EtcdError) -> String {
        let expiry = Self.unixSeconds(now) + self.ttl.components.seconds
        let header = GoJSON.object([("alg", GoJSON.string(self.key.method.name)), ("typ", GoJSON.string("JWT"))])
        let claims = GoJSON.object([("exp", "\(expiry)"), ("revision", "\(revision)"), ("username", GoJSON.string(user))])
        let input = Base64URL.encode(Data(header.utf8)) + "." + Base64URL.encode(Data(claims.utf8))
        let signature = try self.key.signature(of: Data(input.utf8))
        return input + "." + Base64URL.encode(signature)
    }

    /// The user and auth revision `token` carries, when it is three base64url parts, its header names this
    /// provider's method, its signature verifies with this key, its time claims hold at `now` (`exp` not
    /// passed, `nbf` and `iat` reached, each when present, as golang-jwt checks them), and it names a
    /// user and a revision; nil otherwise (the caller answers "invalid auth token").
    public func identity(of token: String, now: Date) -> AuthIdentity? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
            let headerBytes = Base64URL.decode(parts[0]),
            let header = try? JSONDecoder().decode(Header.self, from: headerBytes),
            header.alg == self.key.method.name,
            let claimBytes = Base64URL.decode(parts[1]),
            let claims = try? JSONDecoder().decode(Claims.self, from: claimBytes),
            let signature = Base64URL.decode(parts[2]),
            self.key.isValid(signature: signature, of: Data(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count)))
        else { return nil }
        let seconds = Self.unixSeconds(now)
        guard claims.exp.map({ seconds <= Int64(clamping: $0) }) ?? true,
            claims.nbf.map({ seconds >= Int64(clamping: $0) }) ?? true,
            claims.iat.map({ seconds >= Int64(clamping: $0) }) ?? true,
            let user = claims.username,
            let revision = claims.revision, revision >= 0, revision < 0x1p64
        else { return nil }
        return AuthIdentity(user: user, revision: UInt64(revision))
    }

    private struct Header: Decodable {
        var alg: String
    }

    /// The claims etcd reads; numbers as Go's `encoding/json` decodes them into an interface (float64).
    private struct Claims: Decodable {
        var username: String?
        var revision: Double?
        var exp: Double?
        var nbf: Double?
        var iat: Double?
    }

    private static func unixSeconds(_ date: Date) -> Int64 {
        Int64(date.timeIntervalSince1970.rounded(.down))
    }
}

extension Int64 {
    /// A JSON number as Go's `int64(float64)` conversion takes it, saturating instead of overflowing.
    fileprivate init(clamping value: Double) {
        if value >= 0x1p63 {
            self = .max
        } else if value < -0x1p63 || value.isNaN {
            self = .min
        } else {
            self = Int64(value.rounded(.towardZero))
        }
    }
}
