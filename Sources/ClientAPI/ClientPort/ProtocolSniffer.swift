import NIOCore

/// Installs the pipeline for a connection once its protocol is known. Both closures run on the
/// connection's event loop and must add their handlers at the end of the pipeline synchronously.
public struct ConnectionRouter: Sendable {
    /// Installs the gRPC (HTTP/2) pipeline and hands the connection to the gRPC server.
    public var http2: @Sendable (any Channel) throws -> Void
    /// Installs the HTTP/1.1 pipeline.
    public var http1: @Sendable (any Channel) throws -> Void

    /// Creates a router from the two pipeline installers.
    public init(
        http2: @escaping @Sendable (any Channel) throws -> Void,
        http1: @escaping @Sendable (any Channel) throws -> Void
    ) {
        self.http2 = http2
        self.http1 = http1
    }
}

/// The first handler of every client-port connection: holds back `channelActive` and the first bytes
/// until ``ProtocolDetector`` has decided, asks the ``ConnectionRouter`` to install the right pipeline
/// behind it, replays what it held back and removes itself.
///
/// A connection that has not decided within `detectionTimeout` is closed, so silent clients cannot hold
/// sockets forever. If installing a pipeline fails, only this connection is closed.
public final class ProtocolSniffer: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer

    /// How long a new connection may take to send enough bytes to be classified.
    public static let defaultDetectionTimeout: TimeAmount = .seconds(30)

    private enum State {
        case detecting(buffered: ByteBuffer?, sawActive: Bool)
        case routed
    }

    private let router: ConnectionRouter
    private let detectionTimeout: TimeAmount
    private var state: State = .detecting(buffered: nil, sawActive: false)
    private var timeout: Scheduled<Void>?

    /// Creates a sniffer that routes through `router`.
    public init(router: ConnectionRouter, detectionTimeout: TimeAmount = ProtocolSniffer.defaultDetectionTimeout) {
        self.router = router
        self.detectionTimeout = detectionTimeout
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        self.timeout = context.eventLoop.scheduleTask(in: self.detectionTimeout) {
            channel.close(promise: nil)
        }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        self.timeout?.cancel()
        self.timeout = nil
    }

    public func channelActive(context: ChannelHandlerContext) {
        switch self.state {
        case .detecting(let buffered, _):
            self.state = .detecting(buffered: buffered, sawActive: true)
        case .routed:
            context.fireChannelActive()
        }
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .detecting(var buffered, let sawActive) = self.state else {
            context.fireChannelRead(data)
            return
        }
        var bytes = Self.unwrapInboundIn(data)
        if buffered == nil {
            buffered = bytes
        } else {
            buffered!.writeBuffer(&bytes)
        }
        switch ProtocolDetector.classify(buffered!.readableBytesView) {
        case .needMoreBytes:
            self.state = .detecting(buffered: buffered, sawActive: sawActive)
        case .http2:
            self.route(context: context, install: self.router.http2, replay: buffered!, sawActive: sawActive)
        case .http1:
            self.route(context: context, install: self.router.http1, replay: buffered!, sawActive: sawActive)
        }
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        if case .detecting = self.state {
            // Still undecided: ask for more bytes even if the channel does not read automatically.
            context.read()
        } else {
            context.fireChannelReadComplete()
        }
    }

    private func route(
        context: ChannelHandlerContext,
        install: (any Channel) throws -> Void,
        replay: ByteBuffer,
        sawActive: Bool
    ) {
        self.state = .routed
        self.timeout?.cancel()
        self.timeout = nil
        do {
            try install(context.channel)
        } catch {
            context.close(promise: nil)
            return
        }
        if sawActive {
            context.fireChannelActive()
        }
        context.fireChannelRead(Self.wrapInboundOut(replay))
        context.fireChannelReadComplete()
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}
