import NIOCore
import NIOHTTP1

/// The last handler of an HTTP/1.1 client-port connection: collects each request with its body, asks the
/// ``HTTPResponder`` for the answer and writes it back, keeping the connection open when the client asked
/// for keep-alive. Bodies larger than `maxBodyBytes` are answered with `413` and the connection is closed.
/// A response with an ``HTTPBodyStream`` is sent chunked while its producer runs. The task answering a request,
/// and a producer, are cancelled when the connection closes (a client gone away cancels its call, as Go's
/// server cancels the request's context).
public final class HTTPServerHandler: ChannelInboundHandler {
    public typealias InboundIn = HTTPServerRequestPart
    public typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        case idle
        case receiving(HTTPRequestHead, ByteBuffer)
        case discarding(HTTPRequestHead)
        /// The responder's task is answering the request; nil while an answer of our own is written.
        case responding(Task<Void, Never>?)
        /// A streamed body is being written by this task.
        case streaming(Task<Void, Never>)
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
            self.state = .responding(self.dispatch(context: context, head: head, body: body))
        case (.end, .discarding):
            self.state = .responding(nil)
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

    public func channelInactive(context: ChannelHandlerContext) {
        switch self.state {
        case .streaming(let task), .responding(let task?):
            task.cancel()
        case .idle, .receiving, .discarding, .responding(nil):
            break
        }
        context.fireChannelInactive()
    }

    /// A request the decoder could not parse has already been answered `400` by NIO's protocol error
    /// handler; like any other failure on the connection, it ends the connection.
    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    /// Starts answering the request; returns the task that does.
    private func dispatch(context: ChannelHandlerContext, head: HTTPRequestHead, body: ByteBuffer) -> Task<Void, Never> {
        let request = HTTPRequest(method: head.method, uri: head.uri, headers: head.headers, body: body)
        let responder = self.responder
        let promise = context.eventLoop.makePromise(of: HTTPResponse.self)
        let task = promise.completeWithTask { await responder.respond(to: request) }
        let keepAlive = head.isKeepAlive
        promise.futureResult.assumeIsolated().whenSuccess { response in
            self.write(context: context, response: response, keepAlive: keepAlive)
        }
        return task
    }

    private func write(context: ChannelHandlerContext, response: HTTPResponse, keepAlive: Bool) {
        var headers = response.headers
        headers.replaceOrAdd(name: "Date", value: HTTPDate.now())
        if !keepAlive {
            headers.replaceOrAdd(name: "Connection", value: "close")
        }
        if let stream = response.bodyStream {
            headers.remove(name: "Content-Length")
            let head = HTTPResponseHead(version: .http1_1, status: response.status, headers: headers)
            context.writeAndFlush(Self.wrapOutboundOut(.head(head)), promise: nil)
            self.startStreaming(context: context, stream: stream, keepAlive: keepAlive)
            return
        }
        headers.replaceOrAdd(name: "Content-Length", value: String(response.body.readableBytes))
        let head = HTTPResponseHead(version: .http1_1, status: response.status, headers: headers)
        context.write(Self.wrapOutboundOut(.head(head)), promise: nil)
        if response.body.readableBytes > 0 {
            context.write(Self.wrapOutboundOut(.body(.byteBuffer(response.body))), promise: nil)
        }
        self.end(context: context, keepAlive: keepAlive)
    }

    /// Runs the producer on a task of its own; its writes hop to the event loop and wait until written.
    private func startStreaming(context: ChannelHandlerContext, stream: HTTPBodyStream, keepAlive: Bool) {
        let loop = context.eventLoop
        let boundContext = NIOLoopBound(context, eventLoop: loop)
        let boundHandler = NIOLoopBound(self, eventLoop: loop)
        let writer = HTTPBodyWriter { bytes in
            try await loop.flatSubmit {
                boundContext.value.writeAndFlush(Self.wrapOutboundOut(.body(.byteBuffer(bytes))))
            }.get()
        }
        let producer = Task {
            try? await stream.produce(writer)
            loop.execute { boundHandler.value.streamEnded(context: boundContext.value, keepAlive: keepAlive) }
        }
        self.state = .streaming(producer)
        if !context.channel.isActive {
            producer.cancel()
        }
    }

    private func streamEnded(context: ChannelHandlerContext, keepAlive: Bool) {
        guard case .streaming = self.state else { return }
        guard context.channel.isActive else {
            self.state = .idle
            return
        }
        self.end(context: context, keepAlive: keepAlive)
    }

    /// Ends the response; the connection then waits for the next request or, without keep-alive, closes.
    private func end(context: ChannelHandlerContext, keepAlive: Bool) {
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(Self.wrapOutboundOut(.end(nil)), promise: written)
        self.state = .idle
        if !keepAlive {
            written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }
}
