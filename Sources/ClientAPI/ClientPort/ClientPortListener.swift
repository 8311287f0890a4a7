import EtcdProto
import Logging
import NIOCore
import NIOHTTP2
import NIOPosix
import NIOSSL
import Synchronization
import Telemetry
import TransportSecurity

/// One address of the client port. Every accepted connection starts with a ``ProtocolSniffer``: one that
/// opens with the HTTP/2 preface gets the gRPC pipeline (HTTP/2 frames into a ``GRPCConnectionHandler``),
/// any other an HTTP/1.1 pipeline ending in the HTTP responder, as etcd's cmux splits its port. On an
/// `https://` address TLS comes first (``TLSConnectionGuard`` behind it), and the sniffer sees the
/// decrypted bytes; the server prefers ALPN `http/1.1` so that HTTP clients offering both stay on the
/// HTTP/1.1 side, while gRPC clients, which offer only `h2`, get it.
///
/// On graceful shutdown it stops accepting, asks every gRPC connection to drain, and ``serve()`` returns
/// once they have all closed.
final class ClientPortListener: Sendable {
    private struct Connection {
        let channel: any Channel
        let handler: NIOLoopBound<GRPCConnectionHandler>
    }

    private struct State {
        var channel: (any Channel)?
        var connections: [ObjectIdentifier: Connection] = [:]
        var draining = false
        var bound: ListenAddress??
        var boundWaiters: [CheckedContinuation<ListenAddress?, Never>] = []
    }

    private let address: ListenAddress
    private let eventLoopGroup: any EventLoopGroup
    private let state = Mutex(State())
    private let methods: GRPCMethodTable
    private let http: any HTTPResponder
    private let configuration: ClientPortConfiguration
    private let network: NetworkMetrics?
    private let tls: MemberTLS?
    private let logger: Logger

    init(
        address: ListenAddress,
        methods: GRPCMethodTable,
        http: any HTTPResponder,
        configuration: ClientPortConfiguration,
        network: NetworkMetrics?,
        tls: MemberTLS?,
        logger: Logger,
        eventLoopGroup: any EventLoopGroup
    ) {
        self.tls = tls
        self.logger = logger
        self.address = address
        self.methods = methods
        self.http = AccessControlledResponder(inner: http, control: configuration.accessControl, checksHost: !address.secure, logger: logger)
        self.configuration = configuration
        self.network = network
        self.eventLoopGroup = eventLoopGroup
    }

    /// Binds and serves until a graceful shutdown has drained every gRPC connection.
    func serve() async throws {
        let router = ConnectionRouter(
            http2: { [self] channel in try self.installGRPC(on: channel) },
            http1: { [http, configuration] channel in
                let pipeline = channel.pipeline.syncOperations
                try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
                try pipeline.addHandler(
                    HTTPServerHandler(
                        responder: http,
                        maxBodyBytes: configuration.maxRequestBytes + ClientPortConfiguration.grpcOverheadBytes
                    )
                )
            }
        )
        if self.address.secure, self.tls == nil {
            self.settleBound(nil)
            throw TLSConfigurationError("TLS key/cert (--cert-file, --key-file) must be provided for client url https://\(self.address) with HTTPS scheme")
        }
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: self.eventLoopGroup)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelOption(.socketOption(NIOBSDSocket.Option(rawValue: SO_REUSEPORT)), value: self.configuration.reusePort ? 1 : 0)
                .serverChannelOption(.backlog, value: 1024)
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { [tls, logger, secure = self.address.secure] channel in
                    channel.eventLoop.makeCompletedFuture {
                        let pipeline = channel.pipeline.syncOperations
                        if secure, let tls { try tls.addServerHandlers(to: pipeline, logger: logger) }
                        try pipeline.addHandler(ProtocolSniffer(router: router))
                    }
                }
                .bind(host: self.address.host, port: self.address.port)
                .get()
        } catch let error as IOError {
            self.settleBound(nil)
            throw ListenFailure(host: self.address.host, port: self.address.port, errno: error.errnoCode, reason: "\(error)")
        } catch {
            self.settleBound(nil)
            throw error
        }
        let closeAtOnce = self.state.withLock { state in
            state.channel = channel
            return state.draining
        }
        let port = channel.localAddress?.port ?? self.address.port
        self.settleBound(ListenAddress(host: self.address.host, port: port, secure: self.address.secure))
        if closeAtOnce { channel.close(promise: nil) }
        try? await channel.closeFuture.get()
        while let open = self.state.withLock({ $0.connections.values.first?.channel }) {
            try? await open.closeFuture.get()
        }
    }

    /// The bound address once ``serve()`` has bound it, nil if binding failed.
    func boundAddress() async -> ListenAddress? {
        await withCheckedContinuation { continuation in
            let bound = self.state.withLock { state -> ListenAddress?? in
                if state.bound == nil { state.boundWaiters.append(continuation) }
                return state.bound
            }
            if let bound { continuation.resume(returning: bound) }
        }
    }

    /// Stops accepting and drains every gRPC connection; those still open after the drain timeout are closed.
    func beginGracefulShutdown() {
        let (channel, connections, alreadyDraining) = self.state.withLock { state in
            defer { state.draining = true }
            return (state.channel, Array(state.connections.values), state.draining)
        }
        guard !alreadyDraining else { return }
        channel?.close(promise: nil)
        for connection in connections { Self.drain(connection.handler) }
        self.eventLoopGroup.any().scheduleTask(in: TimeAmount(self.configuration.drainTimeout)) {
            let open = self.state.withLock { Array($0.connections.values) }
            for connection in open { connection.channel.close(promise: nil) }
        }
    }

    private func installGRPC(on channel: any Channel) throws {
        let pipeline = channel.pipeline.syncOperations
        if let network = self.network {
            try pipeline.addHandler(ByteCountingHandler(received: network.clientGRPCReceivedBytes, sent: network.clientGRPCSentBytes))
        }
        try pipeline.addHandler(HTTP2ServerCodec(settings: GRPCConnectionHandler.http2Settings(self.configuration)))
        let handler = GRPCConnectionHandler(methods: self.methods, configuration: self.configuration)
        handler.clientCommonName = try? pipeline.handler(type: TLSConnectionGuard.self).commonName
        try pipeline.addHandler(handler)
        let key = ObjectIdentifier(channel)
        let connection = Connection(channel: channel, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop))
        let draining = self.state.withLock { state in
            state.connections[key] = connection
            return state.draining
        }
        channel.closeFuture.whenComplete { _ in
            _ = self.state.withLock { $0.connections.removeValue(forKey: key) }
        }
        if draining { Self.drain(connection.handler) }
    }

    private static func drain(_ handler: NIOLoopBound<GRPCConnectionHandler>) {
        handler.eventLoop.execute { handler.value.drain() }
    }

    private func settleBound(_ address: ListenAddress?) {
        let waiters = self.state.withLock { state in
            state.bound = .some(address)
            defer { state.boundWaiters = [] }
            return state.boundWaiters
        }
        for waiter in waiters { waiter.resume(returning: address) }
    }
}
