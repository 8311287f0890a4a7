/// Where a member listens for peers: the host and port of one of its peer URLs.
public struct PeerAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    /// An address.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `http://host:port` (and `[v6]` hosts). TLS on the peer port is not supported yet, so an
    /// `https` URL is refused rather than silently spoken to in plain text.
    public init(url: String) throws(PeerProtocolError) {
        guard url.hasPrefix("http://") else {
            throw PeerProtocolError("unsupported peer URL \(url): only http:// peer URLs are supported")
        }
        let authority = url.dropFirst("http://".count).prefix { $0 != "/" }
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
    }

    public var description: String {
        self.host.contains(":") ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)"
    }
}
