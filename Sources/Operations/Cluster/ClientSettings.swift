import EtcdClient

/// How etcd-ops reaches members: etcdctl's connection flags (endpoints, dial and command timeouts,
/// keepalive, TLS settings and credentials), from which one client per endpoint is made when each member
/// must be asked in turn.
public struct ClientSettings: Sendable {
    public var endpoints: [String]
    public var dialTimeout: Duration = .seconds(2)
    public var commandTimeout: Duration = .seconds(5)
    public var keepaliveTime: Duration = .seconds(2)
    public var keepaliveTimeout: Duration = .seconds(6)
    /// TLS for bare `host:port` endpoints and the settings of `https://` ones (their /metrics reads too).
    public var tls: ClientTLS?
    /// The user every client authenticates as before its first call.
    public var credentials: Credentials?

    public init(endpoints: [String]) {
        self.endpoints = endpoints
    }

    /// A client of `endpoints` (all of the settings' when nil), calls bounded by `timed` and the command timeout.
    public func client(endpoints: [String]? = nil, timed: Bool = true) throws(OpsError) -> EtcdClient {
        var parsed: [Endpoint] = []
        for endpoint in endpoints ?? self.endpoints {
            do {
                parsed.append(try Endpoint(parsing: endpoint))
            } catch {
                throw OpsError(.usage, "invalid endpoint \(endpoint): \(error.message)")
            }
        }
        guard !parsed.isEmpty else { throw OpsError(.usage, "no endpoints given (--endpoints)") }
        var configuration = ClientConfiguration(endpoints: parsed)
        configuration.dialTimeout = self.dialTimeout
        configuration.requestTimeout = timed ? self.commandTimeout : nil
        configuration.keepaliveTime = self.keepaliveTime
        configuration.keepaliveTimeout = self.keepaliveTimeout
        configuration.tls = self.tls
        configuration.credentials = self.credentials
        do {
            return try EtcdClient(configuration: configuration)
        } catch {
            throw OpsError(.unreachable, "\(error)")
        }
    }
}
