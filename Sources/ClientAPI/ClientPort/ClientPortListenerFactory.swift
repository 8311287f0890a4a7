import GRPCNIOTransportHTTP2
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Binds one client-port address and serves gRPC and HTTP/1.1 on it, as etcd's cmux does.
///
/// Every accepted connection starts with a ``ProtocolSniffer``. Connections that open with the HTTP/2
/// preface get grpc-swift's server pipeline and are handed to the gRPC transport through
/// ``AcceptedConnectionDiverter``; all others get an HTTP/1.1 pipeline ending in `makeHTTPHandler()`.
///
/// Used as the listener of grpc-swift's `HTTP2ServerTransport.Custom`; the transport calls
/// ``makeListeningChannel(listenerConfigurator:connectionConfigurator:)`` once when it starts.
public struct ClientPortListenerFactory: HTTP2ServerTransport.ListenerFactory {
    public let eventLoopGroup: any EventLoopGroup
    private let host: String
    private let port: Int
    private let makeHTTPHandler: @Sendable () -> any ChannelHandler
    private let makeGRPCByteCounter: (@Sendable () -> any ChannelHandler)?

    /// Creates a factory that binds `host:port` (port 0 picks a free port) on `eventLoopGroup`.
    /// `makeHTTPHandler` builds the last handler of each HTTP/1.1 connection's pipeline;
    /// `makeGRPCByteCounter`, when given, a handler placed before gRPC's on each gRPC connection.
    public init(
        host: String,
        port: Int,
        eventLoopGroup: any EventLoopGroup,
        makeHTTPHandler: @escaping @Sendable () -> any ChannelHandler,
        makeGRPCByteCounter: (@Sendable () -> any ChannelHandler)? = nil
    ) {
        self.host = host
        self.port = port
        self.eventLoopGroup = eventLoopGroup
        self.makeHTTPHandler = makeHTTPHandler
        self.makeGRPCByteCounter = makeGRPCByteCounter
    }

    public func makeListeningChannel(
        listenerConfigurator: HTTP2ServerTransport.ListenerConfigurator,
        connectionConfigurator: HTTP2ServerTransport.ConnectionConfigurator
    ) async throws -> NIOAsyncChannel<HTTP2ServerTransport.ConnectionConfigurator.ConnectionChannel, Never> {
        let locator = DiverterLocator()
        let listener = NIOLockedValueBox<NIOAsyncChannel<GRPCConnection, Never>?>(nil)
        let makeHTTPHandler = self.makeHTTPHandler
        let makeGRPCByteCounter = self.makeGRPCByteCounter
        let router = ConnectionRouter(
            http2: { channel in
                if let makeGRPCByteCounter {
                    try channel.pipeline.syncOperations.addHandler(makeGRPCByteCounter())
                }
                let configured = connectionConfigurator.configure(channel: channel, tls: .none)
                configured.whenSuccess { connection in locator.deliver(connection, from: channel) }
                configured.whenFailure { _ in channel.close(promise: nil) }
            },
            http1: { channel in
                let pipeline = channel.pipeline.syncOperations
                try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
                try pipeline.addHandler(makeHTTPHandler())
            }
        )
        // The diverter, the async channel handler and the sink are installed before the bootstrap adds its
        // accept handler and binds, so no connection can arrive before they are in place:
        // `[quiescing] → [diverter] → [async channel] → [sink] → [accept] → tail`.
        _ = try await ServerBootstrap(group: self.eventLoopGroup)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 1024)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .serverChannelInitializer { channel in
                listenerConfigurator.configure(channel: channel).flatMapThrowing {
                    let pipeline = channel.pipeline.syncOperations
                    let sink = ConfiguredConnectionSink()
                    let diverter = AcceptedConnectionDiverter(sink: sink)
                    try pipeline.addHandler(diverter)
                    let asyncChannel = try NIOAsyncChannel<GRPCConnection, Never>(
                        wrappingChannelSynchronously: channel
                    )
                    try pipeline.addHandler(sink)
                    locator.attach(diverter, on: channel.eventLoop)
                    listener.withLockedValue { $0 = asyncChannel }
                }
            }
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ProtocolSniffer(router: router))
                }
            }
            .bind(host: self.host, port: self.port)
            .get()
        guard let asyncChannel = listener.withLockedValue({ $0 }) else {
            preconditionFailure("the listening channel was bound without its initializer having run")
        }
        return asyncChannel
    }
}

/// Lets connection channels, which live on other event loops, find the listener's diverter.
private final class DiverterLocator: Sendable {
    private let diverter = NIOLockedValueBox<NIOLoopBound<AcceptedConnectionDiverter>?>(nil)

    func attach(_ diverter: AcceptedConnectionDiverter, on eventLoop: any EventLoop) {
        self.diverter.withLockedValue { $0 = NIOLoopBound(diverter, eventLoop: eventLoop) }
    }

    func deliver(_ connection: GRPCConnection, from channel: any Channel) {
        guard let bound = self.diverter.withLockedValue({ $0 }) else {
            channel.close(promise: nil)
            return
        }
        bound.eventLoop.execute {
            bound.value.inject(connection)
        }
    }
}
