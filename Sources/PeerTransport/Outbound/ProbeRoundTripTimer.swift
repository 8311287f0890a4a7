import NIOCore
import Synchronization

/// Times a probe connection's round trips on its event loop, next to the socket: from a write leaving for
/// the socket to the first bytes read after it. The prober's task hops (to the event loop to write, back
/// to the task to read) stay out of the figure, as etcd's prober measures the exchange itself.
final class ProbeRoundTripTimer: ChannelDuplexHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// When the write now awaiting its answer left, and the last round trip timed; read by the prober
    /// once the echo has reached it (the handler stores the time before it passes the echo on).
    private let state = Mutex<(sentAt: NIODeadline?, lastRoundTrip: Duration?)>((nil, nil))

    /// The last round trip timed.
    var lastRoundTrip: Duration? { self.state.withLock { $0.lastRoundTrip } }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        self.state.withLock { $0.sentAt = .now() }
        context.write(data, promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let now = NIODeadline.now()
        self.state.withLock { state in
            guard let sentAt = state.sentAt else { return }
            state.lastRoundTrip = .nanoseconds((now - sentAt).nanoseconds)
            state.sentAt = nil
        }
        context.fireChannelRead(data)
    }
}
