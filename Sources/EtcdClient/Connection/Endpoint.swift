import EtcdProto

/// A member's client URL as a client is given it: `host:port`, `http://host:port` or `https://host:port`,
/// with a DNS name or an IP address (IPv6 in brackets). The text given is kept, since etcdctl prints
/// endpoints as the user wrote them.
public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
    /// The host: a DNS name or an IP address (without brackets).
    public let host: String
    public let port: Int
    /// The scheme given, which decides the connection's security (see ``ClientConfiguration/tls``).
    public let scheme: Scheme
    /// The endpoint as given.
    public let description: String

    /// Parses `text`; throws etcd's error for an endpoint it cannot use.
    public init(parsing text: String) throws(EtcdError) {
        var rest = Substring(text)
        var scheme = Scheme.unspecified
        if rest.hasPrefix("http://") {
            rest = rest.dropFirst("http://".count)
            scheme = .http
        } else if rest.hasPrefix("https://") {
            rest = rest.dropFirst("https://".count)
            scheme = .https
        } else if rest.contains("://") {
            throw EtcdError(.invalidArgument, "unsupported endpoint scheme in \(text)")
        }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        let host: Substring
        let portText: Substring
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]"), rest[rest.index(after: close)...].hasPrefix(":") else {
                throw EtcdError(.invalidArgument, "invalid endpoint \(text): expected [address]:port")
            }
            host = rest[rest.index(after: rest.startIndex)..<close]
            portText = rest[rest.index(close, offsetBy: 2)...]
        } else {
            guard let colon = rest.lastIndex(of: ":") else {
                throw EtcdError(.invalidArgument, "invalid endpoint \(text): missing port")
            }
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        }
        guard !host.isEmpty, let port = Int(portText), (1...65_535).contains(port) else {
            throw EtcdError(.invalidArgument, "invalid endpoint \(text)")
        }
        self.host = String(host)
        self.port = port
        self.scheme = scheme
        self.description = text
    }

    /// How an endpoint was written: `http://` always means plaintext, `https://` always TLS, and a bare
    /// `host:port` means TLS exactly when the client has TLS settings, as clientv3 decides.
    public enum Scheme: Sendable, Hashable {
        case unspecified
        case http
        case https
    }

    /// Whether the endpoint asked for TLS (`https://`).
    public var secure: Bool { self.scheme == .https }
}
