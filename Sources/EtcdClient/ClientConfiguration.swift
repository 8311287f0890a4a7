/// How an ``EtcdClient`` reaches the cluster: its endpoints, clientv3's timers, with etcdctl's defaults
/// (and no per-call deadline unless one is set), and who it is: TLS settings and a user's credentials.
public struct ClientConfiguration: Sendable {
    /// The members to talk to; the client pins one and fails over to the others.
    public var endpoints: [Endpoint]
    /// How long to wait for a connection to an endpoint (etcdctl's `--dial-timeout`, 2 s).
    public var dialTimeout: Duration
    /// The deadline of one call, retries included, for calls that give none (etcdctl sets its
    /// `--command-timeout` here); nil, the default, means none, as clientv3's calls have none unless
    /// their context has one.
    public var requestTimeout: Duration?
    /// How long a connection may be quiet before the client pings the member (`--keepalive-time`, 2 s;
    /// the transport raises anything below 10 s to 10 s).
    public var keepaliveTime: Duration
    /// How long the client waits for a ping's answer before it drops the connection
    /// (`--keepalive-timeout`, 6 s).
    public var keepaliveTimeout: Duration
    /// TLS settings. As in clientv3, `https://` endpoints always use TLS (with the system's roots when this
    /// is nil), `http://` ones never do, and bare `host:port` ones do exactly when this is set.
    public var tls: ClientTLS?
    /// The user the client authenticates as before its first call; nil (or an empty name or password)
    /// means none, so calls carry no token.
    public var credentials: Credentials?

    /// A configuration for `endpoints` with etcdctl's defaults.
    public init(endpoints: [Endpoint]) {
        self.endpoints = endpoints
        self.dialTimeout = .seconds(2)
        self.requestTimeout = nil
        self.keepaliveTime = .seconds(2)
        self.keepaliveTimeout = .seconds(6)
        self.tls = nil
        self.credentials = nil
    }
}
