import GRPCNIOTransportHTTP2
import NIOCore

/// The configured gRPC connection type that the gRPC transport consumes.
typealias GRPCConnection = HTTP2ServerTransport.ConnectionConfigurator.ConnectionChannel

/// Sits on the listening channel in front of the `NIOAsyncChannel` handler that feeds configured gRPC
/// connections to the gRPC transport, and keeps two kinds of reads apart:
///
/// - accepted sockets (coming from the head of the pipeline) go around the async channel handler: they are
///   fired from ``ConfiguredConnectionSink``'s position, so they reach the bootstrap's accept handler, which
///   runs the child initializer, and the tail, which registers them;
/// - configured gRPC connections, injected with ``inject(_:)`` once a connection has shown the HTTP/2
///   preface, go into the async channel handler and so to the transport.
///
/// Pipeline of the listening channel: `[quiescing] → [diverter] → [async channel] → [sink] → [accept] → tail`.
final class AcceptedConnectionDiverter: ChannelInboundHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = GRPCConnection

    private var context: ChannelHandlerContext?
    private let sink: ConfiguredConnectionSink

    init(sink: ConfiguredConnectionSink) {
        self.sink = sink
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let sinkContext = self.sink.context else { return }
        sinkContext.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        self.sink.context?.fireChannelReadComplete()
    }

    /// Hands a configured gRPC connection to the transport. Must be called on the listener's event loop.
    func inject(_ connection: GRPCConnection) {
        guard let context = self.context else { return }
        context.fireChannelRead(Self.wrapInboundOut(connection))
        context.fireChannelReadComplete()
    }
}

/// The last handler of the listening channel: drops configured gRPC connections that the `NIOAsyncChannel`
/// handler forwards after consuming them, and lends its context to ``AcceptedConnectionDiverter`` so that
/// accepted sockets reach the accept handler behind it.
final class ConfiguredConnectionSink: ChannelInboundHandler {
    typealias InboundIn = GRPCConnection

    private(set) var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    func channelReadComplete(context: ChannelHandlerContext) {}
}
