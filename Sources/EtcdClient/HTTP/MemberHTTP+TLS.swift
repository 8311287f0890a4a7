import EtcdProto
import NIOCore
import NIOPosix
import NIOSSL

extension MemberHTTP {
    /// Sends `request` to `host` (`name:port`) over TLS and reads the answer until the member closes, all
    /// before `deadline`. The member's certificate is checked as `tls` says (the system's roots and full
    /// verification without settings); the client offers only HTTP/1.1 in ALPN, which etcd's TLS port
    /// serves beside gRPC.
    static func exchangeOverTLS(
        _ request: [UInt8],
        host: String,
        tls: ClientTLS?,
        deadline: ContinuousClock.Instant
    ) throws(MemberHTTPError) -> [UInt8] {
        guard let colon = host.lastIndex(of: ":"), let port = Int(host[host.index(after: colon)...]) else {
            throw MemberHTTPError("address \(host): missing port in address")
        }
        let name = String(host[..<colon].filter { $0 != "[" && $0 != "]" })
        var configuration: TLSConfiguration
        do throws(EtcdError) {
            configuration = try tls?.configuration() ?? .makeClientConfiguration()
        } catch {
            throw MemberHTTPError(error.message)
        }
        configuration.applicationProtocols = ["http/1.1"]
        let remaining = deadline - ContinuousClock.now
        let timeout = TimeAmount.nanoseconds(Int64(remaining.components.seconds) * 1_000_000_000 + remaining.components.attoseconds / 1_000_000_000)
        do {
            let context = try NIOSSLContext(configuration: configuration)
            let group = MultiThreadedEventLoopGroup.singleton
            let answer = group.next().makePromise(of: [UInt8].self)
            let isAddress = name.contains(":") || name.allSatisfy { $0.isNumber || $0 == "." }
            let channel = try ClientBootstrap(group: group)
                .connectTimeout(timeout)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let tlsHandler = try NIOSSLClientHandler(context: context, serverHostname: isAddress ? nil : name)
                        try channel.pipeline.syncOperations.addHandler(tlsHandler)
                        try channel.pipeline.syncOperations.addHandler(AnswerCollector(answer: answer))
                    }
                }
                .connect(host: name, port: port)
                .wait()
            let expiry = channel.eventLoop.scheduleTask(in: timeout) {
                answer.fail(MemberHTTPError("i/o timeout"))
                channel.close(promise: nil)
            }
            defer { expiry.cancel() }
            channel.writeAndFlush(ByteBuffer(bytes: request), promise: nil)
            return try answer.futureResult.wait()
        } catch let error as MemberHTTPError {
            throw error
        } catch {
            throw MemberHTTPError("https://\(host): \(error)")
        }
    }
}

/// Gathers everything the member sends until it closes the connection, then completes `answer` with it
/// (or with the connection's error).
private final class AnswerCollector: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let answer: EventLoopPromise<[UInt8]>
    private var bytes: [UInt8] = []

    init(answer: EventLoopPromise<[UInt8]>) {
        self.answer = answer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = self.unwrapInboundIn(data)
        self.bytes += buffer.readableBytesView
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.answer.succeed(self.bytes)
        context.fireChannelInactive()
    }

    /// A member that closes without TLS's close_notify has still sent its whole answer (`Connection:
    /// close`), so that is no failure; anything else is.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? NIOSSLError, case .uncleanShutdown = error { return }
        self.answer.fail(error)
        context.close(promise: nil)
    }
}
