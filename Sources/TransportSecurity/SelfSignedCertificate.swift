import Crypto
import Foundation
import SwiftASN1
import X509

/// etcd's `--auto-tls` and `--peer-auto-tls`: a self-signed certificate for the listen URLs' hosts, kept in
/// `<data-dir>/fixtures/<client|peer>/cert.pem` and `key.pem` and reused when both exist. Like etcd's: an
/// ECDSA P-521 key, subject `O=etcd`, a random serial, valid from a minute ago (a certificate's times are
/// whole seconds, and one valid only from the next second would be refused at once) for the validity flag's years, for
/// server (and, on the peer side, client) authentication, not a CA.
public enum SelfSignedCertificate {
    /// The certificate and key files in `directory`, made there first when missing.
    public static func files(
        in directory: String,
        hosts: [String],
        validityYears: Int
    ) throws(TLSConfigurationError) -> (certFile: String, keyFile: String) {
        let certFile = directory + "/cert.pem"
        let keyFile = directory + "/key.pem"
        let manager = FileManager.default
        if manager.fileExists(atPath: certFile), manager.fileExists(atPath: keyFile) { return (certFile, keyFile) }
        guard validityYears > 0 else {
            throw TLSConfigurationError("selfSignedCertValidity is invalid,it should be greater than 0")
        }
        do {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let key = P521.Signing.PrivateKey()
            let certificatePEM = try Self.certificate(key: key, hosts: hosts, validityYears: validityYears)
            let keyPEM = try Certificate.PrivateKey(key).serializeAsPEM().pemString
            guard manager.createFile(atPath: keyFile, contents: Data((keyPEM + "\n").utf8), attributes: [.posixPermissions: 0o600]),
                manager.createFile(atPath: certFile, contents: Data((certificatePEM + "\n").utf8), attributes: [.posixPermissions: 0o644])
            else {
                throw TLSConfigurationError("cannot write a self-signed certificate to \(directory)")
            }
        } catch let error as TLSConfigurationError {
            throw error
        } catch {
            throw TLSConfigurationError("cannot make a self-signed certificate in \(directory): \(error)")
        }
        return (certFile, keyFile)
    }

    private static func certificate(key: P521.Signing.PrivateKey, hosts: [String], validityYears: Int) throws -> String {
        let name = try DistinguishedName { OrganizationName("etcd") }
        let now = Date()
        let alternatives: [GeneralName] = hosts.map { host in
            if let address = IPAddressBytes(host) { return .ipAddress(ASN1OctetString(contentBytes: ArraySlice(address.bytes))) }
            return .dnsName(host)
        }
        let extensions = try Certificate.Extensions {
            Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
            try ExtendedKeyUsage([.serverAuth, .clientAuth])
            Critical(BasicConstraints.notCertificateAuthority)
            SubjectAlternativeNames(alternatives)
        }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: now.addingTimeInterval(-60),
            notValidAfter: now.addingTimeInterval(Double(validityYears) * 365 * 86_400),
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA512,
            extensions: extensions,
            issuerPrivateKey: Certificate.PrivateKey(key)
        )
        return try certificate.serializeAsPEM().pemString
    }
}
