import Foundation

/// Whether a host is an IP address rather than a DNS name.
public enum IPAddressText {
    public static func isAddress(_ host: String) -> Bool { IPAddressBytes(host) != nil }
}

/// The bytes of an IPv4 or IPv6 address written as text.
struct IPAddressBytes {
    let bytes: [UInt8]

    init?(_ text: String) {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            self.bytes = withUnsafeBytes(of: v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            self.bytes = withUnsafeBytes(of: v6) { Array($0) }
            return
        }
        return nil
    }
}
