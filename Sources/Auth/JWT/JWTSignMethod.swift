/// A JWS signing algorithm etcd's `jwt` token provider accepts in `sign-method`, by its golang-jwt name:
/// HMAC with SHA-2 (`HS…`), RSA PKCS #1 v1.5 (`RS…`), RSA-PSS with a salt as long as the hash (`PS…`),
/// and ECDSA on the curve the size names (`ES256` P-256, `ES384` P-384, `ES512` P-521).
public enum JWTSignMethod: String, Sendable, CaseIterable {
    case hs256 = "HS256", hs384 = "HS384", hs512 = "HS512"
    case rs256 = "RS256", rs384 = "RS384", rs512 = "RS512"
    case ps256 = "PS256", ps384 = "PS384", ps512 = "PS512"
    case es256 = "ES256", es384 = "ES384", es512 = "ES512"

    /// The kind of key a method signs with.
    public enum Family: Sendable {
        /// A shared secret: the raw bytes of the `priv-key` file.
        case hmac
        /// An RSA key pair, PEM-encoded, for `RS…` and `PS…`.
        case rsa
        /// An elliptic-curve key pair, PEM-encoded.
        case ecdsa
    }

    /// The SHA-2 digest size a method hashes with.
    public enum Hash: Sendable {
        case sha256, sha384, sha512
    }

    /// The method `name` names (the JWS `alg`, case-sensitive as golang-jwt looks it up); nil for others.
    public init?(name: String) {
        self.init(rawValue: name)
    }

    /// The JWS `alg` header value.
    public var name: String { self.rawValue }

    public var family: Family {
        switch self {
        case .hs256, .hs384, .hs512: .hmac
        case .rs256, .rs384, .rs512, .ps256, .ps384, .ps512: .rsa
        case .es256, .es384, .es512: .ecdsa
        }
    }

    public var hash: Hash {
        switch self {
        case .hs256, .rs256, .ps256, .es256: .sha256
        case .hs384, .rs384, .ps384, .es384: .sha384
        case .hs512, .rs512, .ps512, .es512: .sha512
        }
    }

    /// Whether an RSA method pads with PSS rather than PKCS #1 v1.5.
    var usesPSS: Bool {
        [.ps256, .ps384, .ps512].contains(self)
    }
}
