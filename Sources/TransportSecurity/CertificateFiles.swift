import Foundation
import NIOSSL
import SwiftASN1
import X509

/// A certificate chain and its private key read from PEM files and checked before the member serves with
/// them: both files readable and parseable, the key the certificate's, the certificate valid now.
struct CertificateFiles {
    let chain: [NIOSSLCertificate]
    let key: NIOSSLPrivateKey
    let leaf: Certificate

    init(certFile: String, keyFile: String) throws(TLSConfigurationError) {
        guard !certFile.isEmpty, !keyFile.isEmpty else {
            throw TLSConfigurationError("KeyFile and CertFile must both be present[key: \(keyFile), cert: \(certFile)]")
        }
        let certificatePEM = try Self.read(certFile)
        let keyPEM = try Self.read(keyFile)
        do {
            self.chain = try NIOSSLCertificate.fromPEMBytes(certificatePEM)
            guard let first = self.chain.first else { throw TLSConfigurationError("no certificate in \(certFile)") }
            self.leaf = try Certificate(derEncoded: try first.toDERBytes())
        } catch let error as TLSConfigurationError {
            throw error
        } catch {
            throw TLSConfigurationError("cannot parse certificate file \(certFile): \(error)")
        }
        let privateKey: Certificate.PrivateKey
        do {
            self.key = try NIOSSLPrivateKey(bytes: keyPEM, format: .pem)
            privateKey = try Certificate.PrivateKey(pemEncoded: String(decoding: keyPEM, as: UTF8.self))
        } catch {
            throw TLSConfigurationError("cannot parse key file \(keyFile): \(error)")
        }
        guard privateKey.publicKey == self.leaf.publicKey else {
            throw TLSConfigurationError("private key \(keyFile) does not match the public key of certificate \(certFile)")
        }
        let now = Date()
        guard self.leaf.notValidAfter > now else {
            throw TLSConfigurationError("certificate \(certFile) expired at \(self.leaf.notValidAfter)")
        }
        guard self.leaf.notValidBefore <= now else {
            throw TLSConfigurationError("certificate \(certFile) is not valid before \(self.leaf.notValidBefore)")
        }
    }

    /// Throws unless the leaf leads to a CA certificate in `caFile`, directly or through the intermediate
    /// certificates that follow it in the certificate file.
    func checkSigned(byCAIn caFile: String) throws(TLSConfigurationError) {
        let authorities = try Self.certificates(in: caFile)
        var intermediates: [Certificate] = []
        for certificate in self.chain.dropFirst() {
            guard let bytes = try? certificate.toDERBytes(), let parsed = try? Certificate(derEncoded: bytes) else { continue }
            intermediates.append(parsed)
        }
        var current = self.leaf
        for _ in 0...intermediates.count {
            if authorities.contains(where: { Self.signed(current, by: $0) }) { return }
            guard let issuer = intermediates.first(where: { Self.signed(current, by: $0) }) else { break }
            current = issuer
        }
        throw TLSConfigurationError("certificate is not signed by a CA in \(caFile) (the trusted CA must sign this member's own certificate)")
    }

    private static func signed(_ certificate: Certificate, by issuer: Certificate) -> Bool {
        issuer.subject == certificate.issuer && issuer.publicKey.isValidSignature(certificate.signature, for: certificate)
    }

    /// The certificates of a PEM bundle, checked to be readable and to hold at least one.
    static func certificates(in file: String) throws(TLSConfigurationError) -> [Certificate] {
        let text = String(decoding: try Self.read(file), as: UTF8.self)
        do {
            let certificates = try PEMDocument.parseMultiple(pemString: text).map { try Certificate(pemDocument: $0) }
            guard !certificates.isEmpty else { throw TLSConfigurationError("no certificate in \(file)") }
            return certificates
        } catch let error as TLSConfigurationError {
            throw error
        } catch {
            throw TLSConfigurationError("cannot parse CA file \(file): \(error)")
        }
    }

    static func read(_ file: String) throws(TLSConfigurationError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw TLSConfigurationError("open \(file): no such file or directory, or not readable")
        }
        return Array(data)
    }
}
