import Crypto
import EtcdProto
import Foundation
import _CryptoExtras

/// The key material of etcd's `jwt` token provider for one signing method, made from the bytes of the
/// `priv-key` and `pub-key` files (the caller reads them). RSA and EC keys are PEM (PKCS #1, SEC 1 or
/// PKCS #8 private keys, SubjectPublicKeyInfo public keys); an HMAC secret is the `priv-key` file's raw
/// bytes. With only a public key the provider verifies tokens but cannot sign them. Immutable; any thread.
public struct JWTKey: Sendable {
    private enum Material: Sendable {
        case hmac(SymmetricKey)
        case rsa(_RSA.Signing.PrivateKey?, _RSA.Signing.PublicKey)
        case p256(P256.Signing.PrivateKey?, P256.Signing.PublicKey)
        case p384(P384.Signing.PrivateKey?, P384.Signing.PublicKey)
        case p521(P521.Signing.PrivateKey?, P521.Signing.PublicKey)
    }

    /// The method tokens are signed with, and the only one accepted.
    public let method: JWTSignMethod
    private let material: Material

    /// The key for `method` from the files' bytes (nil for a file not given). Throws etcd's "auth: missing
    /// key data" when the method's key is absent, "auth: public and private keys don't match" for a pair
    /// that differs, and a ``JWTKeyError`` naming the key for bytes that are not a key of the method's kind
    /// (an EC key must be on the method's curve).
    public init(method: JWTSignMethod, privateKey: [UInt8]?, publicKey: [UInt8]?) throws(JWTKeyError) {
        self.method = method
        let privatePEM = privateKey.map { String(decoding: $0, as: UTF8.self) }
        let publicPEM = publicKey.map { String(decoding: $0, as: UTF8.self) }
        switch method.family {
        case .hmac:
            guard let privateKey, !privateKey.isEmpty else { throw .missingKey }
            self.material = .hmac(SymmetricKey(data: privateKey))
        case .rsa:
            let pair = try Self.pair(
                privatePEM, publicPEM, method,
                { try _RSA.Signing.PrivateKey(unsafePEMRepresentation: $0) }, \.publicKey,
                { try _RSA.Signing.PublicKey(unsafePEMRepresentation: $0) }, \.derRepresentation
            )
            self.material = .rsa(pair.0, pair.1)
        case .ecdsa:
            switch method.hash {
            case .sha256:
                let pair = try Self.pair(
                    privatePEM, publicPEM, method, { try P256.Signing.PrivateKey(pemRepresentation: $0) }, \.publicKey,
                    { try P256.Signing.PublicKey(pemRepresentation: $0) }, \.rawRepresentation
                )
                self.material = .p256(pair.0, pair.1)
            case .sha384:
                let pair = try Self.pair(
                    privatePEM, publicPEM, method, { try P384.Signing.PrivateKey(pemRepresentation: $0) }, \.publicKey,
                    { try P384.Signing.PublicKey(pemRepresentation: $0) }, \.rawRepresentation
                )
                self.material = .p384(pair.0, pair.1)
            case .sha512:
                let pair = try Self.pair(
                    privatePEM, publicPEM, method, { try P521.Signing.PrivateKey(pemRepresentation: $0) }, \.publicKey,
                    { try P521.Signing.PublicKey(pemRepresentation: $0) }, \.rawRepresentation
                )
                self.material = .p521(pair.0, pair.1)
            }
        }
    }

    /// Whether a private key (or HMAC secret) was given, so tokens can be signed.
    public var canSign: Bool {
        switch self.material {
        case .hmac: true
        case .rsa(let key, _): key != nil
        case .p256(let key, _): key != nil
        case .p384(let key, _): key != nil
        case .p521(let key, _): key != nil
        }
    }

    /// The JWS signature of `input` (the encoded header, a dot, the encoded claims); EC signatures are
    /// raw r‖s. Throws etcd's verify-only error without a private key.
    func signature(of input: Data) throws(EtcdError) -> Data {
        do {
            switch self.material {
            case .hmac(let secret):
                return switch self.method.hash {
                case .sha256: Data(HMAC<SHA256>.authenticationCode(for: input, using: secret))
                case .sha384: Data(HMAC<SHA384>.authenticationCode(for: input, using: secret))
                case .sha512: Data(HMAC<SHA512>.authenticationCode(for: input, using: secret))
                }
            case .rsa(let key?, _):
                let padding: _RSA.Signing.Padding = self.method.usesPSS ? .PSS : .insecurePKCS1v1_5
                return switch self.method.hash {
                case .sha256: try key.signature(for: SHA256.hash(data: input), padding: padding).rawRepresentation
                case .sha384: try key.signature(for: SHA384.hash(data: input), padding: padding).rawRepresentation
                case .sha512: try key.signature(for: SHA512.hash(data: input), padding: padding).rawRepresentation
                }
            case .p256(let key?, _): return try key.signature(for: input).rawRepresentation
            case .p384(let key?, _): return try key.signature(for: input).rawRepresentation
            case .p521(let key?, _): return try key.signature(for: input).rawRepresentation
            case .rsa(nil, _), .p256(nil, _), .p384(nil, _), .p521(nil, _): throw EtcdError.jwtVerifyOnly
            }
        } catch let error as EtcdError {
            throw error
        } catch {
            throw EtcdError(.unknown, "auth: signing a JWT failed: \(error)")
        }
    }

    /// Whether `signature` is this key's signature of `input`.
    func isValid(signature: Data, of input: Data) -> Bool {
        switch self.material {
        case .hmac(let secret):
            return switch self.method.hash {
            case .sha256: HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: input, using: secret)
            case .sha384: HMAC<SHA384>.isValidAuthenticationCode(signature, authenticating: input, using: secret)
            case .sha512: HMAC<SHA512>.isValidAuthenticationCode(signature, authenticating: input, using: secret)
            }
        case .rsa(_, let key):
            let signature = _RSA.Signing.RSASignature(rawRepresentation: signature)
            let padding: _RSA.Signing.Padding = self.method.usesPSS ? .PSS : .insecurePKCS1v1_5
            return switch self.method.hash {
            case .sha256: key.isValidSignature(signature, for: SHA256.hash(data: input), padding: padding)
            case .sha384: key.isValidSignature(signature, for: SHA384.hash(data: input), padding: padding)
            case .sha512: key.isValidSignature(signature, for: SHA512.hash(data: input), padding: padding)
            }
        case .p256(_, let key):
            guard let signature = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            return key.isValidSignature(signature, for: input)
        case .p384(_, let key):
            guard let signature = try? P384.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            return key.isValidSignature(signature, for: input)
        case .p521(_, let key):
            guard let signature = try? P521.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            return key.isValidSignature(signature, for: input)
        }
    }

    /// The private key (if given) and the public key that verifies (the private key's own when both are
    /// given, which must then match).
    private static func pair<Private, Public, Identity: Equatable>(
        _ privatePEM: String?,
        _ publicPEM: String?,
        _ method: JWTSignMethod,
        _ parsePrivate: (String) throws -> Private,
        _ publicOf: KeyPath<Private, Public>,
        _ parsePublic: (String) throws -> Public,
        _ identity: KeyPath<Public, Identity>
    ) throws(JWTKeyError) -> (Private?, Public) {
        let privateKey: Private?
        do {
            privateKey = try privatePEM.map(parsePrivate)
        } catch {
            throw .unreadable("priv-key", method)
        }
        let publicKey: Public?
        do {
            publicKey = try publicPEM.map(parsePublic)
        } catch {
            throw .unreadable("pub-key", method)
        }
        switch (privateKey, publicKey) {
        case (nil, nil): throw .missingKey
        case (nil, let publicKey?): return (nil, publicKey)
        case (let privateKey?, nil): return (privateKey, privateKey[keyPath: publicOf])
        case (let privateKey?, let publicKey?):
            guard privateKey[keyPath: publicOf][keyPath: identity] == publicKey[keyPath: identity] else { throw .keyMismatch }
            return (privateKey, publicKey)
        }
    }
}

/// Why the `jwt` provider's keys are unusable; the member does not start.
public struct JWTKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    /// etcd's error for a method whose key was not given.
    public static let missingKey = JWTKeyError(description: "auth: missing key data")
    /// etcd's error for a public key that is not the private key's.
    public static let keyMismatch = JWTKeyError(description: "auth: public and private keys don't match")

    /// Bytes given as `option` that are not a key `method` signs or verifies with.
    static func unreadable(_ option: String, _ method: JWTSignMethod) -> JWTKeyError {
        let kind = switch method.family {
        case .hmac: "HMAC"
        case .rsa: "RSA"
        case .ecdsa: "EC (\(method.hash == .sha256 ? "P-256" : method.hash == .sha384 ? "P-384" : "P-521"))"
        }
        return JWTKeyError(description: "auth: the \(option) file holds no PEM \(kind) key usable with \(method.name)")
    }
}

extension EtcdError {
    /// etcd's answer to Authenticate on a member that has only the public key: not in its error table, so
    /// it goes out as `Unknown` with the auth package's text.
    public static let jwtVerifyOnly = EtcdError(.unknown, "auth: token signing attempted with verify-only key")
}
