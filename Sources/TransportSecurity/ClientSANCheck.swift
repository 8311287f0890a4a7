import Foundation

/// etcd's check of the certificate a peer presents against the address it connects from (unless
/// `--experimental-peer-skip-client-san-verification`): a certificate with no IP or DNS names passes; one
/// listing the remote IP passes; otherwise its DNS names must lead to that IP, by the reverse lookup of the
/// IP (a wildcard name matches a suffix) or the forward lookup of a name. Errors are worded as Go's.
enum ClientSANCheck {
    /// What the certificate's IP addresses alone decide.
    enum Verdict: Equatable {
        case accepted
        case refused(String)
        /// Only the DNS names can still accept it: ``lookUp(host:dnsNames:)`` decides.
        case needsLookup
    }

    /// The decision that needs no name resolution. `host` is the peer's IP address as text.
    static func check(_ certificate: PeerCertificate, host: String) -> Verdict {
        if certificate.ipAddresses.isEmpty && certificate.dnsNames.isEmpty { return .accepted }
        let remote = IPAddressBytes(host)?.bytes
        if !certificate.ipAddresses.isEmpty {
            if let remote, certificate.ipAddresses.contains(where: { Self.sameAddress($0, remote) }) { return .accepted }
            if certificate.dnsNames.isEmpty {
                let valid = certificate.ipAddresses.map(Self.text(of:)).joined(separator: ", ")
                return .refused("x509: certificate is valid for \(valid), not \(host)")
            }
        }
        return .needsLookup
    }

    /// The DNS half of the check; blocks while it resolves. Nil when a name leads to `host`, else Go's error.
    static func lookUp(host: String, dnsNames: [String]) -> String? {
        let wildcards = dnsNames.filter { $0.hasPrefix("*.") }.map { String($0.dropFirst()) }
        let names = dnsNames.filter { !$0.hasPrefix("*.") }
        var failure: String?
        switch Self.reverseName(of: host) {
        case .success(let reverse):
            let name = reverse.hasSuffix(".") ? String(reverse.dropLast()) : reverse
            if wildcards.contains(where: { name.hasSuffix($0) }) || names.contains(name) { return nil }
        case .failure(let error):
            failure = error.description
        }
        let remote = IPAddressBytes(host)?.bytes
        for name in names {
            switch Self.addresses(of: name) {
            case .success(let addresses):
                if let remote, addresses.contains(where: { Self.sameAddress($0, remote) }) { return nil }
            case .failure(let error):
                failure = error.description
            }
        }
        let quoted = dnsNames.map { "\"\($0)\"" }.joined(separator: " ")
        return "tls: \"\(host)\" does not match any of DNSNames [\(quoted)]" + (failure.map { " (\($0))" } ?? "")
    }

    struct LookupError: Error, CustomStringConvertible {
        let description: String
    }

    private static func reverseName(of host: String) -> Result<String, LookupError> {
        guard let address = IPAddressBytes(host)?.bytes else { return .failure(LookupError(description: "lookup \(host): not an IP address")) }
        var name = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        /// `getnameinfo` on a socket address of type `T`.
        func resolve<T>(_ socketAddress: T) -> Int32 {
            withUnsafePointer(to: socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    getnameinfo($0, socklen_t(MemoryLayout<T>.size), &name, socklen_t(name.count), nil, 0, NI_NAMEREQD)
                }
            }
        }
        let status: Int32
        if address.count == 4 {
            var socketAddress = sockaddr_in()
            socketAddress.sin_family = sa_family_t(AF_INET)
            withUnsafeMutableBytes(of: &socketAddress.sin_addr) { $0.copyBytes(from: address) }
            status = resolve(socketAddress)
        } else {
            var socketAddress = sockaddr_in6()
            socketAddress.sin6_family = sa_family_t(AF_INET6)
            withUnsafeMutableBytes(of: &socketAddress.sin6_addr) { $0.copyBytes(from: address) }
            status = resolve(socketAddress)
        }
        guard status == 0 else {
            return .failure(LookupError(description: "lookup \(host): \(String(cString: gai_strerror(status)))"))
        }
        return .success(String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    private static func addresses(of name: String) -> Result<[[UInt8]], LookupError> {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(name, nil, &hints, &list)
        guard status == 0 else {
            return .failure(LookupError(description: "lookup \(name): \(String(cString: gai_strerror(status)))"))
        }
        defer { freeaddrinfo(list) }
        var found: [[UInt8]] = []
        var entry = list
        while let current = entry?.pointee {
            if current.ai_family == AF_INET, let raw = current.ai_addr {
                raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { found.append(withUnsafeBytes(of: $0.pointee.sin_addr) { Array($0) }) }
            } else if current.ai_family == AF_INET6, let raw = current.ai_addr {
                raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { found.append(withUnsafeBytes(of: $0.pointee.sin6_addr) { Array($0) }) }
            }
            entry = current.ai_next
        }
        return .success(found)
    }

    /// Equal addresses, an IPv4 address matching its IPv4-mapped IPv6 form (`::ffff:a.b.c.d`), as Go's `IP.Equal`.
    static func sameAddress(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        Self.canonical(left) == Self.canonical(right)
    }

    private static func canonical(_ address: [UInt8]) -> [UInt8] {
        let mappedPrefix: [UInt8] = Array(repeating: 0, count: 10) + [0xff, 0xff]
        if address.count == 16, Array(address.prefix(12)) == mappedPrefix { return Array(address.suffix(4)) }
        return address
    }

    /// The address as Go writes an IP: dotted for IPv4 (and IPv4-mapped), compressed for IPv6.
    static func text(of address: [UInt8]) -> String {
        let canonical = Self.canonical(address)
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = canonical.count == 4 ? AF_INET : AF_INET6
        let written = canonical.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &buffer, socklen_t(buffer.count)) }
        guard written != nil else { return canonical.map(String.init).joined(separator: ".") }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
