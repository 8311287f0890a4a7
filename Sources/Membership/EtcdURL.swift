/// A URL as etcd's listen and advertise flags take it: `http`, `https`, `unix` or `unixs`, a host and a
/// port, no path.
public struct EtcdURL: Sendable, Hashable, CustomStringConvertible {
    public var scheme: String
    public var host: String
    public var port: Int

    /// Parses one URL, with etcd's messages for the ways it can be wrong.
    public init(parsing text: String) throws(ConfigurationError) {
        let trimmed = text.trimmingASCIIWhitespace()
        guard let schemeEnd = trimmed.firstRange(of: "://") else {
            throw ConfigurationError("URL scheme must be http, https, unix, or unixs: \(trimmed)")
        }
        let scheme = String(trimmed[..<schemeEnd.lowerBound])
        guard ["http", "https", "unix", "unixs"].contains(scheme) else {
            throw ConfigurationError("URL scheme must be http, https, unix, or unixs: \(trimmed)")
        }
        let rest = trimmed[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard rest[authorityEnd...].isEmpty else {
            throw ConfigurationError("URL must not contain a path: \(trimmed)")
        }
        guard let (host, port) = Self.splitHostPort(authority) else {
            throw ConfigurationError("URL address does not have the form \"host:port\": \(trimmed)")
        }
        self.scheme = scheme
        self.host = host
        self.port = port
    }

    /// Parses a comma-separated list, as every URL flag takes; the list must not be empty.
    public static func parseList(_ text: String) throws(ConfigurationError) -> [EtcdURL] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard !text.isEmpty, !parts.isEmpty else { throw ConfigurationError("no valid URLs given") }
        var urls: [EtcdURL] = []
        for part in parts { urls.append(try EtcdURL(parsing: part)) }
        return urls
    }

    /// Whether the host is an IP address literal (IPv4 dotted quad or IPv6).
    public var hostIsIPAddress: Bool {
        if self.host.contains(":") { return true }
        let octets = self.host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.allSatisfy { octet in
            !octet.isEmpty && octet.count <= 3 && octet.allSatisfy(\.isASCII) && UInt8(octet) != nil
        }
    }

    public var description: String {
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        return "\(self.scheme)://\(host):\(self.port)"
    }

    /// Go's `net.SplitHostPort` for `host:port` and `[v6]:port`; the port must be a number 0...65535.
    private static func splitHostPort(_ authority: Substring) -> (String, Int)? {
        let host: Substring
        let portText: Substring
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let afterClose = authority[authority.index(after: close)...]
            guard afterClose.hasPrefix(":") else { return nil }
            portText = afterClose.dropFirst()
        } else {
            guard let colon = authority.lastIndex(of: ":") else { return nil }
            host = authority[..<colon]
            guard !host.contains(":") else { return nil }
            portText = authority[authority.index(after: colon)...]
        }
        guard let port = Int(portText), (0...65_535).contains(port) else { return nil }
        return (String(host), port)
    }
}

extension String {
    func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = self.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = self.lastIndex(where: { !isSpace($0) })!
        return String(self[first...last])
    }
}
