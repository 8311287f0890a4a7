import NIOSSL

/// Go's names of the TLS 1.2 cipher suites etcd's `--cipher-suites` takes, with their IANA numbers.
enum CipherSuites {
    static let numbers: [String: UInt16] = [
        "TLS_RSA_WITH_3DES_EDE_CBC_SHA": 0x000A,
        "TLS_RSA_WITH_AES_128_CBC_SHA": 0x002F,
        "TLS_RSA_WITH_AES_256_CBC_SHA": 0x0035,
        "TLS_RSA_WITH_AES_128_CBC_SHA256": 0x003C,
        "TLS_RSA_WITH_AES_128_GCM_SHA256": 0x009C,
        "TLS_RSA_WITH_AES_256_GCM_SHA384": 0x009D,
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA": 0xC009,
        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA": 0xC00A,
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA": 0xC013,
        "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA": 0xC014,
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256": 0xC023,
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256": 0xC027,
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256": 0xC02F,
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256": 0xC02B,
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384": 0xC030,
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384": 0xC02C,
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305": 0xCCA8,
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305": 0xCCA9,
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256": 0xCCA8,
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256": 0xCCA9,
    ]

    /// Suites Go names that BoringSSL, under this member's TLS, does not implement.
    static let unavailable: Set<String> = [
        "TLS_RSA_WITH_RC4_128_SHA", "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
        "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
    ]

    /// The suites `names` lists, in order; etcd's message for a name Go does not know, and ours for one
    /// BoringSSL does not implement.
    static func ciphers(_ names: [String]) throws(TLSConfigurationError) -> [NIOTLSCipher] {
        var ciphers: [NIOTLSCipher] = []
        for name in names {
            if Self.unavailable.contains(name) {
                throw TLSConfigurationError("TLS cipher suite \"\(name)\" is not available in this member's TLS library")
            }
            guard let number = Self.numbers[name] else { throw TLSConfigurationError("unexpected TLS cipher suite \"\(name)\"") }
            ciphers.append(NIOTLSCipher(rawValue: number))
        }
        return ciphers
    }
}
