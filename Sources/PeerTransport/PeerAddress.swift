/// Where a member listens for peers: the host and port of one of its peer URLs, and whether it speaks TLS.
public struct PeerAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// An `https://` peer URL: connections to it use the member's peer TLS.
    public var secure: Bool

    /// An address.
    public init(host: String, port: Int, secure: Bool = false) {
        self.host = host
        self.port = port
        self.secure = secure
    }

    /// Parses `http://host:port` or `https://host:port` (and `[v6]` hosts).
    public init(url: String) throws(PeerProtocolError) {
        let scheme: String
        if url.hasPrefix("http://") {
            scheme = "http://"
        } else if url.hasPrefix("https://") {
            scheme = "https://"
        } else {
            throw PeerProtocolError("unsupported peer URL \(url): peer URLs are http:// or https://")
        }
        let authority = url.dropFirst(scheme.count).prefix { $0 != "/" }
        let host: Substring
        let port: Substring
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = authority[authority.index(after: authority.startIndex)..<close]
            port = authority[authority.index(after: close)...].dropFirst()
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            port = authority[authority.index(after: colon)...]
        } else {
            throw PeerProtocolError("peer URL \(url) has no port")
        }
        guard let number = Int(port), (1...65_535).contains(number) else {
            throw PeerProtocolError("peer URL \(url) has no valid port")
        }
        self.host = String(host)
        self.port = number
        self.secure = scheme == "https://"
    }

    public var description: String {
        self.host.contains(":") ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)"
    }
}
