import EtcdProto
import GRPCCore
import GRPCNIOTransportHTTP2
import NIOCore
import NIOSSL
import Synchronization

/// One endpoint's gRPC client and the task that runs its connections. It connects when the first call
/// needs it and reconnects with a short backoff after a member comes back.
final class EndpointConnection: Sendable {
    let endpoint: Endpoint
    let client: GRPCClient<HTTP2ClientTransport.Posix>
    private let task: Task<Void, Never>
    private let counter: ConnectionCounter

    /// A client for `endpoint`, secured as `configuration` says for it, its calls passing through
    /// `interceptors`; nothing connects until a call is made.
    init(endpoint: Endpoint, configuration: ClientConfiguration, interceptors: [any ClientInterceptor]) throws(EtcdError) {
        self.endpoint = endpoint
        let counter = ConnectionCounter()
        var config = HTTP2ClientTransport.Posix.Config.defaults
        config.backoff = .init(initial: .milliseconds(100), max: .seconds(2), multiplier: 1.6, jitter: 0.2)
        config.connection.keepalive = .init(
            time: configuration.keepaliveTime,
            timeout: configuration.keepaliveTimeout,
            allowWithoutCalls: false
        )
        config.channelDebuggingCallbacks.onCreateTCPConnection = { channel in
            counter.count.add(1, ordering: .relaxed)
            return channel.eventLoop.makeCompletedFuture {
                // The answerer reads HTTP/2 frames, so on a TLS connection it sits right after the TLS handler.
                let operations = channel.pipeline.syncOperations
                if let tls = try? operations.handler(type: NIOSSLClientHandler.self) {
                    try operations.addHandler(PingAnswerer(), position: .after(tls))
                } else {
                    try operations.addHandler(PingAnswerer(), position: .first)
                }
            }
        }
        let transport: HTTP2ClientTransport.Posix
        do {
            transport = try HTTP2ClientTransport.Posix(
                target: Self.target(endpoint),
                transportSecurity: configuration.transportSecurity(for: endpoint),
                config: config
            )
        } catch {
            throw EtcdError(.unavailable, "cannot use endpoint \(endpoint): \(error)")
        }
        let client = GRPCClient(transport: transport, interceptors: interceptors)
        self.client = client
        self.counter = counter
        self.task = Task { try? await client.runConnections() }
    }

    /// Whether a TCP connection to the endpoint was ever made (a call that failed before one existed
    /// certainly never reached the member).
    var hasConnected: Bool { self.counter.count.load(ordering: .relaxed) > 0 }

    /// How many TCP connections were made so far.
    var connectionCount: Int { self.counter.count.load(ordering: .relaxed) }

    /// Stops the client once its calls have ended, and waits for it.
    func close() async {
        self.client.beginGracefulShutdown()
        await self.task.value
    }

    private static func target(_ endpoint: Endpoint) -> any ResolvableTarget {
        if endpoint.host.contains(":") { return .ipv6(address: endpoint.host, port: endpoint.port) }
        if endpoint.host.split(separator: ".").count == 4, endpoint.host.allSatisfy({ $0.isNumber || $0 == "." }) {
            return .ipv4(address: endpoint.host, port: endpoint.port)
        }
        return .dns(host: endpoint.host, port: endpoint.port)
    }
}

/// Counts the TCP connections a transport made, from its debugging callback.
private final class ConnectionCounter: Sendable {
    let count = Atomic<Int>(0)
}
