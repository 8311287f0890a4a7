import Foundation
import NIOSSL
import X509

/// What the member reads from a client's verified certificate: the Common Name (the etcd user name for
/// certificate auth, the peer name for `--peer-cert-allowed-cn`) and the names it is valid for.
public struct PeerCertificate: Sendable, Equatable {
    public let commonName: String?
    /// The DNS names among its subject alternative names.
    public let dnsNames: [String]
    /// The IP addresses among its subject alternative names (4 or 16 bytes each).
    public let ipAddresses: [[UInt8]]
    public let serialNumber: [UInt8]

    /// Reads `certificate`; nil when it cannot be parsed.
    public init?(_ certificate: NIOSSLCertificate) {
        guard let bytes = try? certificate.toDERBytes(), let parsed = try? Certificate(derEncoded: bytes) else { return nil }
        var commonName: String?
        for name in parsed.subject {
            for attribute in name where attribute.type == .RDNAttributeType.commonName {
                commonName = String(describing: attribute.value)
            }
        }
        self.commonName = commonName
        var dnsNames: [String] = []
        var ipAddresses: [[UInt8]] = []
        if let alternatives = try? parsed.extensions.subjectAlternativeNames {
            for alternative in alternatives {
                switch alternative {
                case .dnsName(let dns): dnsNames.append(dns)
                case .ipAddress(let bytes): ipAddresses.append(Array(bytes.bytes))
                default: continue
                }
            }
        }
        self.dnsNames = dnsNames
        self.ipAddresses = ipAddresses
        self.serialNumber = Array(parsed.serialNumber.bytes)
    }

    /// DNS names and IP addresses of its subject alternative names.
    public var names: [String] { self.dnsNames + self.ipAddresses.map(Self.address) }

    /// Whether the certificate is valid for `hostname` (its SANs, or its Common Name when it has none), as
    /// Go's `VerifyHostname` decides for etcd's allowed-hostname checks.
    public func isValid(for hostname: String) -> Bool {
        let candidates = self.names.isEmpty ? [self.commonName].compactMap { $0 } : self.names
        return candidates.contains { Self.matches(pattern: $0.lowercased(), hostname.lowercased()) }
    }

    private static func matches(pattern: String, _ host: String) -> Bool {
        guard pattern.hasPrefix("*.") else { return pattern == host }
        guard let dot = host.firstIndex(of: ".") else { return false }
        return host[dot...] == pattern.dropFirst()
    }

    private static func address(_ bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        var groups: [String] = []
        for index in stride(from: 0, to: bytes.count - 1, by: 2) {
            groups.append(String(UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]), radix: 16))
        }
        return groups.joined(separator: ":")
    }
}
