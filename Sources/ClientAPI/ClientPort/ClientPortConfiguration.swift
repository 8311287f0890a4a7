/// A host and port to listen on, taken from one of `--listen-client-urls`, and whether it serves TLS
/// (an `https://` URL).
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var secure: Bool

    /// An address; port 0 asks the system for a free port.
    public init(host: String, port: Int, secure: Bool = false) {
        self.host = host
        self.port = port
        self.secure = secure
    }

    public var description: String {
        self.host.contains(":") ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)"
    }
}

/// Limits and timers of the client port.
public struct ClientPortConfiguration: Sendable {
    /// The largest request a client may send (`--max-request-bytes`, etcd's default 1.5 MiB).
    public var maxRequestBytes: Int
    /// The shortest interval between client pings the server tolerates (`--grpc-keepalive-min-time`).
    /// etcdctl pings every 10 s while a watch is open.
    public var keepaliveMinimumPingInterval: Duration
    /// How often the server pings an idle connection (`--grpc-keepalive-interval`, etcd's default 2 h).
    public var keepaliveInterval: Duration
    /// How long the server waits for a ping's answer before closing (`--grpc-keepalive-timeout`, 20 s).
    public var keepaliveTimeout: Duration
    /// How long a graceful shutdown waits for open calls (watch streams never end by themselves) before it
    /// closes their connections: etcd waits its request timeout, 5 s plus two election timeouts.
    public var drainTimeout: Duration
    /// The streams a client may have open on one connection at a time (`--max-concurrent-streams`,
    /// etcd's default 2³² − 1), announced in the HTTP/2 settings and enforced by NIOHTTP2.
    public var maxConcurrentStreams = Int(UInt32.max)
    /// The origins and hosts the HTTP requests may come from (`--cors`, `--host-whitelist`).
    public var accessControl = ClientAccessControl.allowAll
    /// Whether the listeners set `SO_REUSEPORT`, so that another process may bind the same port
    /// (`--socket-reuse-port`).
    public var reusePort = false

    /// etcd's defaults.
    public static let defaults = ClientPortConfiguration(
        maxRequestBytes: 1_572_864,
        keepaliveMinimumPingInterval: .seconds(5),
        keepaliveInterval: .seconds(7_200),
        keepaliveTimeout: .seconds(20),
        drainTimeout: .seconds(7)
    )

    /// Room grpc-go leaves above `maxRequestBytes` for the envelope of a message; etcd adds the same.
    static let grpcOverheadBytes = 512 * 1024

    /// Creates a configuration.
    public init(
        maxRequestBytes: Int,
        keepaliveMinimumPingInterval: Duration,
        keepaliveInterval: Duration,
        keepaliveTimeout: Duration,
        drainTimeout: Duration
    ) {
        self.maxRequestBytes = maxRequestBytes
        self.keepaliveMinimumPingInterval = keepaliveMinimumPingInterval
        self.keepaliveInterval = keepaliveInterval
        self.keepaliveTimeout = keepaliveTimeout
        self.drainTimeout = drainTimeout
    }
}

