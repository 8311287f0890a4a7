import GRPCCore
import GRPCNIOTransportHTTP2
import NIOCore
import NIOPosix
import Telemetry

/// A host and port to listen on, taken from one of `--listen-client-urls`.
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    /// An address; port 0 asks the system for a free port.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
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
    /// etcdctl pings every 10 s while a watch is open; grpc-swift's default of 5 minutes would cut it.
    public var keepaliveMinimumPingInterval: Duration
    /// How often the server pings an idle connection (`--grpc-keepalive-interval`, etcd's default 2 h).
    public var keepaliveInterval: Duration
    /// How long the server waits for a ping's answer before closing (`--grpc-keepalive-timeout`, 20 s).
    public var keepaliveTimeout: Duration

    /// etcd's defaults.
    public static let defaults = ClientPortConfiguration(
        maxRequestBytes: 1_572_864,
        keepaliveMinimumPingInterval: .seconds(5),
        keepaliveInterval: .seconds(7_200),
        keepaliveTimeout: .seconds(20)
    )

    /// Room grpc-go leaves above `maxRequestBytes` for the envelope of a message; etcd adds the same.
    static let grpcOverheadBytes = 512 * 1024

    /// Creates a configuration.
    public init(
        maxRequestBytes: Int,
        keepaliveMinimumPingInterval: Duration,
        keepaliveInterval: Duration,
        keepaliveTimeout: Duration
    ) {
        self.maxRequestBytes = maxRequestBytes
        self.keepaliveMinimumPingInterval = keepaliveMinimumPingInterval
        self.keepaliveInterval = keepaliveInterval
        self.keepaliveTimeout = keepaliveTimeout
    }

    var transportConfig: HTTP2ServerTransport.Custom<ClientPortListenerFactory>.Config {
        var config = HTTP2ServerTransport.Custom<ClientPortListenerFactory>.Config.defaults
        config.connection.keepalive = .init(
            time: self.keepaliveInterval,
            timeout: self.keepaliveTimeout,
            clientBehavior: .init(minPingIntervalWithoutCalls: self.keepaliveMinimumPingInterval, allowWithoutCalls: false)
        )
        config.rpc.maxRequestPayloadSize = self.maxRequestBytes + Self.grpcOverheadBytes
        return config
    }
}

/// Serves the client API on every listen address: one gRPC server per address, all sharing the same
/// services and HTTP responder.
public final class ClientPortServer: Sendable {
    private let servers: [GRPCServer<HTTP2ServerTransport.Custom<ClientPortListenerFactory>>]
    private let transports: [HTTP2ServerTransport.Custom<ClientPortListenerFactory>]

    /// Prepares the listeners; nothing is bound until ``run()``. With `metrics`, every RPC and the bytes
    /// of every gRPC connection are counted there (after `interceptors` have run).
    public init(
        addresses: [ListenAddress],
        services: [any RegistrableRPCService],
        interceptors: [any ServerInterceptor] = [],
        http: any HTTPResponder,
        configuration: ClientPortConfiguration = .defaults,
        metrics: EtcdMetrics? = nil,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        var interceptors = interceptors
        if let metrics { interceptors.insert(GRPCMetricsInterceptor(metrics: metrics.grpc), at: 0) }
        let maxBodyBytes = configuration.maxRequestBytes + ClientPortConfiguration.grpcOverheadBytes
        var makeGRPCByteCounter: (@Sendable () -> any ChannelHandler)?
        if let network = metrics?.network {
            makeGRPCByteCounter = {
                ByteCountingHandler(received: network.clientGRPCReceivedBytes, sent: network.clientGRPCSentBytes)
            }
        }
        self.transports = addresses.map { address in
            let factory = ClientPortListenerFactory(
                host: address.host,
                port: address.port,
                eventLoopGroup: eventLoopGroup,
                makeHTTPHandler: { HTTPServerHandler(responder: http, maxBodyBytes: maxBodyBytes) },
                makeGRPCByteCounter: makeGRPCByteCounter
            )
            return HTTP2ServerTransport.Custom(listenerFactory: factory, config: configuration.transportConfig)
        }
        self.servers = self.transports.map { transport in
            GRPCServer(transport: transport, services: services, interceptors: interceptors)
        }
    }

    /// Binds every address and serves until ``beginGracefulShutdown()`` has drained all of them.
    /// Throws if an address cannot be bound; the other listeners are then shut down too.
    public func serve() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for server in self.servers {
                group.addTask { try await server.serve() }
            }
            do {
                try await group.waitForAll()
            } catch {
                self.beginGracefulShutdown()
                throw error
            }
        }
    }

    /// The bound addresses, in the order given, with the ports the system chose for port 0; waits until
    /// each listener is bound. An address that failed to bind is missing.
    public func boundAddresses() async -> [ListenAddress] {
        var bound: [ListenAddress] = []
        for transport in self.transports {
            guard let address = await transport.listeningAddress else { continue }
            if let ipv4 = address.ipv4 {
                bound.append(ListenAddress(host: ipv4.host, port: ipv4.port))
            } else if let ipv6 = address.ipv6 {
                bound.append(ListenAddress(host: ipv6.host, port: ipv6.port))
            }
        }
        return bound
    }

    /// Stops accepting connections; open calls are allowed to finish.
    public func beginGracefulShutdown() {
        for server in self.servers { server.beginGracefulShutdown() }
    }
}
