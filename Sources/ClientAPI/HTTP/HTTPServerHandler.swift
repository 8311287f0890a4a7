import NIOCore
import NIOHTTP1

/// The last handler of an HTTP/1.1 client-port connection: collects each request with its body, asks the
/// ``HTTPResponder`` for the answer and writes it back, keeping the connection open when the client asked
/// for keep-alive. Bodies larger than `maxBodyBytes` are answered with `413` and the connection is closed.
public final class HTTPServerHandler: ChannelInboundHandler {
    public typealias InboundIn = HTTPServerRequestPart
    public typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        case idle
        case receiving(HTTPRequestHead, ByteBuffer)
        case discarding(HTTPRequestHead)
        case responding
    }

    private let responder: any HTTPResponder
    private let maxBodyBytes: Int
    private var state: State = .idle

    /// Creates a handler that answers through `responder` and accepts bodies up to `maxBodyBytes`.
    public init(responder: any HTTPResponder, maxBodyBytes: Int) {
        self.responder = responder
        self.maxBodyBytes = maxBodyBytes
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch (Self.unwrapInboundIn(data), self.state) {
        case (.head(let head), _):
            self.state = .receiving(head, context.channel.allocator.buffer(capacity: 0))
        case (.body(var chunk), .receiving(let head, var body)):
            if body.readableBytes + chunk.readableBytes > self.maxBodyBytes {
                self.state = .discarding(head)
            } else {
                body.writeBuffer(&chunk)
                self.state = .receiving(head, body)
            }
        case (.end, .receiving(let head, let body)):
            self.state = .responding
            self.dispatch(context: context, head: head, body: body)
        case (.end, .discarding):
            self.state = .responding
            let response = HTTPResponse(
                status: .payloadTooLarge,
                contentType: "text/plain; charset=utf-8",
                body: "request body too large\n"
            )
            self.write(context: context, response: response, keepAlive: false)
        case (.body, _), (.end, _):
            break
        }
    }

    /// A request the decoder could not parse has already been answered `400` by NIO's protocol error
    /// handler; like any other failure on the connection, it ends the connection.
    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func dispatch(context: ChannelHandlerContext, head: HTTPRequestHead, body: ByteBuffer) {
        let request = HTTPRequest(method: head.method, uri: head.uri, headers: head.headers, body: body)
        let responder = self.responder
        let promise = context.eventLoop.makePromise(of: HTTPResponse.self)
        promise.completeWithTask { await responder.respond(to: request) }
        let keepAlive = head.isKeepAlive
        promise.futureResult.assumeIsolated().whenSuccess { response in
            self.write(context: context, response: response, keepAlive: keepAlive)
        }
    }

    private func write(context: ChannelHandlerContext, response: HTTPResponse, keepAlive: Bool) {
        var headers = response.headers
        headers.replaceOrAdd(name: "Content-Length", value: String(response.body.readableBytes))
        if !keepAlive {
            headers.replaceOrAdd(name: "Connection", value: "close")
        }
        let head = HTTPResponseHead(version: .http1_1, status: response.status, headers: headers)
        context.write(Self.wrapOutboundOut(.head(head)), promise: nil)
        if response.body.readableBytes > 0 {
            context.write(Self.wrapOutboundOut(.body(.byteBuffer(response.body))), promise: nil)
        }
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(Self.wrapOutboundOut(.end(nil)), promise: written)
        self.state = .idle
        if !keepAlive {
            written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }
}
