import Auth
import Crypto
import EtcdProto
import Foundation
import Testing
import _CryptoExtras

/// The `jwt` token provider: every method family signs and verifies, and a token fails for its expiry,
/// another algorithm, a changed payload or another key.
@Suite struct JWTTokensTests {
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    /// A provider for `method` with a fresh key, and the same key's verify-only provider (the HMAC secret
    /// serves as both).
    static func providers(_ method: JWTSignMethod) throws -> (signer: JWTTokens, verifier: JWTTokens) {
        let (privatePEM, publicPEM): (String, String?) = switch (method.family, method.hash) {
        case (.hmac, _): (UUID().uuidString, nil)
        case (.rsa, _): try Self.pem(_RSA.Signing.PrivateKey(keySize: .bits2048))
        case (.ecdsa, .sha256): Self.pem(P256.Signing.PrivateKey())
        case (.ecdsa, .sha384): Self.pem(P384.Signing.PrivateKey())
        case (.ecdsa, .sha512): Self.pem(P521.Signing.PrivateKey())
        }
        let signer = JWTTokens(key: try JWTKey(method: method, privateKey: Array(privatePEM.utf8), publicKey: nil))
        let verifier = JWTTokens(
            key: try JWTKey(
                method: method,
                privateKey: publicPEM == nil ? Array(privatePEM.utf8) : nil,
                publicKey: publicPEM.map { Array($0.utf8) }
            )
        )
        return (signer, verifier)
    }

    static func pem(_ key: _RSA.Signing.PrivateKey) -> (String, String?) { (key.pemRepresentation, key.publicKey.pemRepresentation) }
    static func pem(_ key: P256.Signing.PrivateKey) -> (String, String?) { (key.pemRepresentation, key.publicKey.pemRepresentation) }
    static func pem(_ key: P384.Signing.PrivateKey) -> (String, String?) { (key.pemRepresentation, key.publicKey.pemRepresentation) }
    static func pem(_ key: P521.Signing.PrivateKey) -> (String, String?) { (key.pemRepresentation, key.publicKey.pemRepresentation) }

    static func decode(_ part: Substring) -> String {
        var text = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        return String(decoding: Data(base64Encoded: text) ?? Data(), as: UTF8.self)
    }

    @Test(arguments: JWTSignMethod.allCases)
    func everyMethodSignsAndVerifies(_ method: JWTSignMethod) throws {
        let (signer, verifier) = try Self.providers(method)
        let token = try signer.token(user: "alice", revision: 12, now: Self.now)
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        #expect(parts.count == 3 && !token.contains("="))
        #expect(Self.decode(parts[0]) == #"{"alg":"\#(method.name)","typ":"JWT"}"#)
        #expect(Self.decode(parts[1]) == #"{"exp":1700000300,"revision":12,"username":"alice"}"#)
        let expected = AuthIdentity(user: "alice", revision: 12)
        #expect(signer.identity(of: token, now: Self.now) == expected)
        #expect(verifier.identity(of: token, now: Self.now) == expected, "the public key alone verifies")
        #expect(try Self.providers(method).verifier.identity(of: token, now: Self.now) == nil, "another key refuses it")
    }

    @Test func ecSignaturesAreRawCoordinates() throws {
        for (method, bytes) in [(JWTSignMethod.es256, 64), (.es384, 96), (.es512, 132)] {
            let token = try Self.providers(method).signer.token(user: "u", revision: 1, now: Self.now)
            var signature = String(token.split(separator: ".")[2])
            signature = signature.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            while signature.count % 4 != 0 { signature += "=" }
            #expect(Data(base64Encoded: signature)?.count == bytes)
        }
    }

    @Test func aTokenExpiresAfterItsTTL() throws {
        let tokens = JWTTokens(key: try JWTKey(method: .hs256, privateKey: Array("secret".utf8), publicKey: nil), ttl: .seconds(30))
        let token = try tokens.token(user: "alice", revision: 3, now: Self.now)
        #expect(tokens.identity(of: token, now: Self.now + 30) != nil, "valid through its expiry second")
        #expect(tokens.identity(of: token, now: Self.now + 31) == nil)
    }

    @Test func anotherAlgorithmOrAChangedPayloadIsRefused() throws {
        let secret = Array("secret".utf8)
        let hs256 = JWTTokens(key: try JWTKey(method: .hs256, privateKey: secret, publicKey: nil))
        let hs512 = JWTTokens(key: try JWTKey(method: .hs512, privateKey: secret, publicKey: nil))
        let token = try hs256.token(user: "alice", revision: 3, now: Self.now)
        #expect(hs512.identity(of: token, now: Self.now) == nil, "the header's alg must be the configured one")

        let parts = token.split(separator: ".")
        let forged = Data(#"{"exp":1700000300,"revision":3,"username":"root"}"#.utf8).base64EncodedString()
            .replacingOccurrences(of: "=", with: "")
        #expect(hs256.identity(of: "\(parts[0]).\(forged).\(parts[2])", now: Self.now) == nil)
        #expect(hs256.identity(of: "\(parts[0]).\(parts[1])", now: Self.now) == nil)
        #expect(hs256.identity(of: "aNwnvooiQATvVUOs.163", now: Self.now) == nil, "a simple token is no JWT")

        let none = Data(#"{"alg":"none","typ":"JWT"}"#.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
        #expect(hs256.identity(of: "\(none).\(parts[1]).", now: Self.now) == nil)
    }

    @Test func usersAreEscapedAsGoWritesThem() throws {
        let tokens = JWTTokens(key: try JWTKey(method: .hs256, privateKey: Array("k".utf8), publicKey: nil))
        let token = try tokens.token(user: "a<b>\"c\"", revision: 0, now: Self.now)
        #expect(Self.decode(token.split(separator: ".")[1]) == #"{"exp":1700000300,"revision":0,"username":"a\u003cb\u003e\"c\""}"#)
        #expect(tokens.identity(of: token, now: Self.now) == AuthIdentity(user: "a<b>\"c\"", revision: 0))
    }

    @Test func keysAreCheckedAsEtcdChecksThem() throws {
        #expect(throws: JWTKeyError.missingKey) { try JWTKey(method: .rs256, privateKey: nil, publicKey: nil) }
        #expect(throws: JWTKeyError.missingKey) { try JWTKey(method: .hs256, privateKey: nil, publicKey: Array("k".utf8)) }
        let (rsaPrivate, _) = try Self.pem(_RSA.Signing.PrivateKey(keySize: .bits2048))
        let otherPublic = P256.Signing.PrivateKey().publicKey.pemRepresentation
        #expect(throws: JWTKeyError.keyMismatch) {
            try JWTKey(method: .es256, privateKey: Array(P256.Signing.PrivateKey().pemRepresentation.utf8), publicKey: Array(otherPublic.utf8))
        }
        #expect(throws: JWTKeyError.self) { try JWTKey(method: .es256, privateKey: Array(rsaPrivate.utf8), publicKey: nil) }
        #expect(throws: JWTKeyError.self) {
            try JWTKey(method: .es384, privateKey: Array(P256.Signing.PrivateKey().pemRepresentation.utf8), publicKey: nil)
        }

        let verifyOnly = JWTTokens(key: try JWTKey(method: .es256, privateKey: nil, publicKey: Array(otherPublic.utf8)))
        #expect(!verifyOnly.key.canSign)
        #expect(throws: EtcdError.jwtVerifyOnly) { try verifyOnly.token(user: "alice", revision: 1, now: Self.now) }
        #expect(EtcdError.jwtVerifyOnly.code == .unknown)
    }
}
