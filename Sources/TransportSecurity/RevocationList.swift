import SwiftASN1

/// The serial numbers a certificate revocation list (`--client-crl-file`, `--peer-crl-file`; PEM or DER)
/// revokes. As in etcd, the list is read again for every connection and its signature is not checked: it
/// is the operator's own file.
public enum RevocationList {
    /// The revoked serials in `file`, each without leading zero bytes.
    public static func serials(in file: String) throws(TLSConfigurationError) -> Set<[UInt8]> {
        let bytes = try CertificateFiles.read(file)
        do {
            let der: [UInt8]
            let text = String(decoding: bytes, as: UTF8.self)
            if text.contains("-----BEGIN X509 CRL-----") {
                der = try PEMDocument(pemString: text).derBytes
            } else {
                der = bytes
            }
            return try Self.serials(of: try DER.parse(der))
        } catch let error as TLSConfigurationError {
            throw error
        } catch {
            throw TLSConfigurationError("cannot parse the revocation list \(file): \(error)")
        }
    }

    /// A serial as compared with the revoked ones.
    public static func normalized(_ serial: some Collection<UInt8>) -> [UInt8] {
        Array(serial.drop { $0 == 0 })
    }

    /// CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signature }; the TBS part holds an
    /// optional version, the algorithm, the issuer, thisUpdate, an optional nextUpdate, then the optional
    /// SEQUENCE OF revoked entries, each starting with the serial.
    private static func serials(of list: ASN1Node) throws(TLSConfigurationError) -> Set<[UInt8]> {
        guard let tbs = Self.children(list).first else { throw Self.malformed }
        var revoked: Set<[UInt8]> = []
        for field in Self.children(tbs) where field.identifier == .sequence {
            let entries = Self.children(field)
            // The revoked list is the one SEQUENCE whose elements are SEQUENCEs starting with an INTEGER.
            guard let first = entries.first, first.identifier == .sequence,
                let serial = Self.children(first).first, serial.identifier == .integer
            else { continue }
            for entry in entries {
                guard let number = Self.children(entry).first, case .primitive(let bytes) = number.content else { throw Self.malformed }
                revoked.insert(Self.normalized(bytes))
            }
        }
        return revoked
    }

    private static func children(_ node: ASN1Node) -> [ASN1Node] {
        guard case .constructed(let nodes) = node.content else { return [] }
        return Array(nodes)
    }

    private static let malformed = TLSConfigurationError("the revocation list is not a DER CertificateList")
}
