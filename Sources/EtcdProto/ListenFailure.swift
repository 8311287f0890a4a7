#if canImport(Glibc)
import Glibc
#endif

/// A listening socket that could not be opened, told as etcd tells it (Go's `net.Listen` error):
/// `listen tcp 127.0.0.1:2380: bind: address already in use` for a port another program holds.
public struct ListenFailure: Error, CustomStringConvertible {
    /// `host:port`, an IPv6 host in brackets.
    public let address: String
    /// The system's error number, when the failure was the system's.
    public let errno: Int32?
    /// What failed otherwise.
    public let reason: String

    public init(host: String, port: Int, errno: Int32?, reason: String) {
        self.address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        self.errno = errno
        self.reason = reason
    }

    public var description: String {
        guard let errno else { return "listen tcp \(self.address): \(self.reason)" }
        let text = String(cString: strerror(errno))
        return "listen tcp \(self.address): bind: \(text.prefix(1).lowercased())\(text.dropFirst())"
    }
}
