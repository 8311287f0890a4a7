import Auth
import GRPCCore
import NIOCore
import NIOHPACK
import NIOHTTP2
import Prometheus
import Telemetry

/// Serves gRPC calls on one HTTP/2 connection of the client port, straight from the connection's frames:
/// no channel per stream. A unary call's request is collected on the event loop and handed to its service
/// method in one task that runs on that event loop; the response goes out as headers, one message and
/// trailers in one flush shared with every other answer ready at the same moment. Streaming calls get a task when they start, their requests
/// as an async stream and a sink that writes each response as it comes.
///
/// It also gives flow-control credit back to the client as messages arrive, enforces etcd's keepalive
/// policy for client pings, pings an idle client every `keepaliveInterval`, and drains on shutdown: a
/// GOAWAY, then the connection closes once the open calls have ended.
final class GRPCConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame
    typealias OutboundOut = HTTP2Frame

    /// The connection-level window the server keeps open; the stream-level one is set in the HTTP/2 settings.
    static let connectionWindow = 1 << 20
    /// The stream-level window, advertised as `SETTINGS_INITIAL_WINDOW_SIZE`.
    static let streamWindow = 1 << 20
    private static let keepalivePing = HTTP2PingData(withInteger: 0x6574_6364_6b61_6c76)

    private let methods: [String: GRPCMethod]
    private let requests: RequestMetrics?
    /// This connection's `etcd_server_client_requests_total` counters, by call kind and API version.
    private var clientRequestCounters: [ClientRequestSeries: Counter] = [:]
    private let maxMessageBytes: Int
    private let configuration: ClientPortConfiguration
    private var context: ChannelHandlerContext?
    private var loopBound: NIOLoopBound<GRPCConnectionHandler>?
    private var executor: EventLoopTaskExecutor?
    private var calls: [HTTP2StreamID: GRPCServerCall] = [:]
    private var lastStreamID = HTTP2StreamID.rootStream
    private var draining = false
    private var started = false
    private var flushScheduled = false
    /// Trailers written and not yet on the socket (they may wait behind data held by flow control).
    private var pendingTrailers = 0
    private var pingPolicy: GRPCPingPolicy
    private var lastActivity = NIODeadline.now()
    private var keepaliveCheck: Scheduled<Void>?
    private var keepaliveTimeout: Scheduled<Void>?
    /// The Common Name of the client's verified certificate, on a TLS connection that asked for one.
    var clientCommonName: String?

    /// A handler serving `methods`, with the client port's limits and keepalive settings.
    init(methods: GRPCMethodTable, configuration: ClientPortConfiguration) {
        self.methods = methods.methods
        self.requests = methods.requests
        self.configuration = configuration
        self.maxMessageBytes = configuration.maxRequestBytes + ClientPortConfiguration.grpcOverheadBytes
        self.pingPolicy = GRPCPingPolicy(minimumInterval: configuration.keepaliveMinimumPingInterval)
    }

    /// Control frames (PING above all) a client may send in 30 seconds. grpc-go's client sends a PING per
    /// burst of DATA it receives to size its window, thousands in a large snapshot stream; pings without
    /// calls are held to grpc-go's rule by ``GRPCPingPolicy``, and this bound only stops floods.
    static let maximumControlFramesPer30Seconds = 50_000
    /// Streams a client may reset in 30 seconds.
    static let maximumResetsPer30Seconds = 200
    /// DATA frames that neither carry data nor end their stream a client may send in 30 seconds. A gRPC
    /// client sends an empty DATA frame only to end a request, so this bound only stops floods.
    static let maximumEmptyFramesPer30Seconds = 1_000

    /// The HTTP/2 settings of a client connection: what the server announces and the bounds it keeps.
    static func http2Settings(_ configuration: ClientPortConfiguration) -> HTTP2ServerCodec.Settings {
        HTTP2ServerCodec.Settings(
            maxConcurrentStreams: configuration.maxConcurrentStreams,
            streamWindow: streamWindow,
            connectionWindow: connectionWindow,
            maxHeaderListSize: HPACKDecoder.defaultMaxHeaderListSize,
            maxControlFramesPer30Seconds: maximumControlFramesPer30Seconds,
            maxResetsPer30Seconds: maximumResetsPer30Seconds,
            maxEmptyFramesPer30Seconds: maximumEmptyFramesPer30Seconds
        )
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        self.executor = EventLoopTaskExecutor(eventLoop: context.eventLoop)
        if context.channel.isActive { self.start(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.stopEverything()
        self.context = nil
        self.loopBound = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        self.start(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.stopEverything()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = Self.unwrapInboundIn(data)
        self.lastActivity = .now()
        switch frame.payload {
        case .headers(let headers):
            self.receive(headers, on: frame.streamID)
        case .data(let data):
            self.receive(data, on: frame.streamID)
        case .rstStream:
            self.abandon(frame.streamID)
        case .windowUpdate:
            // Data held back by flow control leaves now; grpc-go forgives on every DATA frame it writes out.
            self.pingPolicy.responded()
        case .ping(let data, let ack):
            if ack {
                self.receivedPingAnswer(data)
            } else if self.pingPolicy.receivedPing(at: .now, activeCalls: self.calls.count) {
                self.goAway(.enhanceYourCalm, debugData: "too_many_pings", thenClose: true)
            }
        default:
            break
        }
    }

    /// The codec has answered any protocol violation with a GOAWAY already; any other error ends the connection.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    // MARK: Requests

    private func receive(_ headers: HTTP2Frame.FramePayload.Headers, on streamID: HTTP2StreamID) {
        if let call = self.calls[streamID] {
            if headers.endStream { self.endRequests(of: call) }
            return
        }
        if self.draining {
            self.write(HTTP2Frame(streamID: streamID, payload: .rstStream(.refusedStream)))
            return
        }
        self.lastStreamID = max(self.lastStreamID, streamID)
        let fields = headers.headers
        guard fields.first(name: ":method") == "POST",
            let contentType = fields.first(name: "content-type"), contentType.hasPrefix("application/grpc")
        else {
            let refusal: HPACKHeaders = [":status": "415"]
            self.write(HTTP2Frame(streamID: streamID, payload: .headers(.init(headers: refusal, endStream: true))))
            return
        }
        guard let method = self.methods[fields.first(name: ":path") ?? ""] else {
            var answer = Self.responseHeaders
            GRPCStatus.unimplemented.add(to: &answer)
            self.write(HTTP2Frame(streamID: streamID, payload: .headers(.init(headers: answer, endStream: true))))
            return
        }
        let call = GRPCServerCall(
            streamID: streamID,
            method: method,
            encoding: fields.first(name: "grpc-encoding"),
            credentials: CallerCredentials(
                token: fields.first(name: "token") ?? fields.first(name: "authorization").map(Self.bearerToken),
                commonName: self.clientCommonName
            ),
            maxMessageBytes: self.maxMessageBytes
        )
        self.calls[streamID] = call
        method.series?.started.increment()
        self.countClientRequest(of: method, apiVersion: fields.first(name: "client-api-version"))
        if let timeout = fields.first(name: "grpc-timeout").flatMap(GRPCTimeout.parse), let loopBound {
            call.deadline = loopBound.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
                loopBound.value.expire(streamID)
            }
        }
        if case .streaming(let handler) = method.handler {
            self.startStreaming(call, handler: handler)
        }
        if headers.endStream { self.endRequests(of: call) }
    }

    /// Counts a call as etcd's interceptors do: by kind, and by the `client-api-version` the client sent
    /// (`unknown` when it sent none).
    private func countClientRequest(of method: GRPCMethod, apiVersion: String?) {
        guard let requests = self.requests else { return }
        let kind: RequestMetrics.CallKind
        switch method.handler {
        case .unary: kind = .unary
        case .streaming: kind = .stream
        }
        let series = ClientRequestSeries(kind: kind, apiVersion: apiVersion ?? "unknown")
        if let counter = self.clientRequestCounters[series] {
            counter.increment()
            return
        }
        let counter = requests.clientRequests(kind, apiVersion: series.apiVersion)
        self.clientRequestCounters[series] = counter
        counter.increment()
    }

    private func receive(_ data: HTTP2Frame.FramePayload.Data, on streamID: HTTP2StreamID) {
        let length = data.data.readableBytes + (data.paddingBytes.map { $0 + 1 } ?? 0)
        guard let call = self.calls[streamID], case .byteBuffer(let bytes) = data.data else { return }
        let messages: [ByteBuffer]
        do {
            messages = try call.deframer.append(bytes)
        } catch {
            switch error {
            case .compressed:
                self.finish(call, Self.compressedStatus(encoding: call.encoding))
            case .tooLarge(let length, let limit):
                self.finish(call, .tooLarge(length: length, limit: limit))
            }
            return
        }
        for message in messages {
            call.method.series?.messagesReceived.increment()
            switch call.method.handler {
            case .unary:
                guard call.request == nil else {
                    self.finish(call, GRPCStatus(code: .internalError, message: "grpc: more than one request message for a unary call"))
                    return
                }
                call.request = message
            case .streaming:
                call.delivered += 1
                call.requests?.yield(message)
            }
        }
        if !data.endStream { self.receivedCredit(length, completing: messages.count, on: call) }
        if data.endStream { self.endRequests(of: call) }
    }

    /// grpc-go's answer for a compressed message: the encoding has no decompressor, or none was named.
    private static func compressedStatus(encoding: String?) -> GRPCStatus {
        switch encoding {
        case nil, "identity":
            GRPCStatus(code: .internalError, message: "grpc: compressed flag set with identity or empty encoding")
        case let encoding?:
            .noDecompressor(encoding)
        }
    }

    private func endRequests(of call: GRPCServerCall) {
        call.clientEnded = true
        if call.deframer.hasPartialMessage {
            self.finish(call, GRPCStatus(code: .internalError, message: "grpc: the stream ended inside a message"))
            return
        }
        switch call.method.handler {
        case .unary(let handler, let onEventLoop):
            guard let request = call.request else {
                self.finish(call, GRPCStatus(code: .internalError, message: "grpc: the call ended without its request message"))
                return
            }
            self.startUnary(call, handler: handler, request: request, onEventLoop: onEventLoop)
        case .streaming:
            call.requests?.finish()
            call.requests = nil
        }
    }

    /// The token of an `authorization` value (the gateway's header), without a `Bearer ` scheme.
    static func bearerToken(_ value: String) -> String {
        value.hasPrefix("Bearer ") ? String(value.dropFirst("Bearer ".count)) : value
    }

    // MARK: Running calls

    private func startUnary(
        _ call: GRPCServerCall,
        handler: @escaping @Sendable (ByteBuffer) async throws -> [UInt8],
        request: ByteBuffer,
        onEventLoop: Bool
    ) {
        guard let loopBound, let executor else { return }
        let streamID = call.streamID
        let credentials = call.credentials
        let run: @Sendable () async -> Void = {
            let result: Result<[UInt8], any Error>
            do {
                result = .success(try await CallerCredentials.$current.withValue(credentials) { try await handler(request) })
            } catch {
                result = .failure(error)
            }
            if loopBound.eventLoop.inEventLoop {
                loopBound.value.answer(streamID, with: result)
            } else {
                loopBound.eventLoop.execute { loopBound.value.answer(streamID, with: result) }
            }
        }
        // On the loop the task starts here and now, running until its first suspension (a proposal's wait)
        // without a trip through the loop's task queue; it resumes on the loop.
        let task = onEventLoop ? Task.immediate(executorPreference: executor, operation: run) : Task(operation: run)
        call.task = task
        // The call may have ended while the task ran inside this read (answered, reset or stopped).
        if self.calls[streamID] !== call { task.cancel() }
    }

    private func startStreaming(
        _ call: GRPCServerCall,
        handler: @escaping @Sendable (GRPCRequestStream, any GRPCResponseSink) async throws -> Void
    ) {
        guard let loopBound else { return }
        let streamID = call.streamID
        let (messages, continuation) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
        call.requests = continuation
        let requests = GRPCRequestStream(messages: messages) {
            loopBound.eventLoop.execute { loopBound.value.consumedRequest(on: streamID) }
        }
        let sink = CallResponseSink(connection: loopBound, streamID: streamID)
        let credentials = call.credentials
        call.task = Task {
            let status: GRPCStatus
            do {
                try await CallerCredentials.$current.withValue(credentials) { try await handler(requests, sink) }
                status = .ok
            } catch {
                status = GRPCStatus(error)
            }
            loopBound.eventLoop.execute { loopBound.value.end(streamID, with: status) }
        }
    }

    private func answer(_ streamID: HTTP2StreamID, with result: Result<[UInt8], any Error>) {
        guard let call = self.calls[streamID] else { return }
        switch result {
        case .success(let message):
            self.writeMessages([message], on: call, promise: nil)
            self.finish(call, .ok)
        case .failure(let error):
            self.finish(call, GRPCStatus(error))
        }
    }

    private func end(_ streamID: HTTP2StreamID, with status: GRPCStatus) {
        guard let call = self.calls[streamID] else { return }
        self.finish(call, status)
    }

    /// Writes responses of a streaming call and flushes them at once; `promise` completes once the last one is
    /// written (the writes of one stream complete in order).
    fileprivate func send(_ messages: [[UInt8]], on streamID: HTTP2StreamID, promise: EventLoopPromise<Void>) {
        guard let call = self.calls[streamID], let context = self.context else {
            promise.fail(CancellationError())
            return
        }
        call.waitingWrites.append(promise)
        let written = context.eventLoop.makePromise(of: Void.self)
        written.futureResult.assumeIsolated().whenComplete { result in
            // A stopped call has failed its waits already; the writes of one stream complete in order.
            guard !call.waitingWrites.isEmpty else { return }
            call.waitingWrites.removeFirst().completeWith(result)
        }
        self.writeMessages(messages, on: call, promise: written)
        context.flush()
    }

    private func expire(_ streamID: HTTP2StreamID) {
        guard let call = self.calls[streamID] else { return }
        call.deadline = nil
        self.finish(call, GRPCStatus(code: .deadlineExceeded, message: "context deadline exceeded"))
    }

    /// Ends `call` with `status` in its trailers (a trailers-only response if nothing was sent yet), and
    /// resets the stream if the client is still sending, as grpc-go does.
    private func finish(_ call: GRPCServerCall, _ status: GRPCStatus) {
        guard self.calls.removeValue(forKey: call.streamID) != nil, let context = self.context, let loopBound else { return }
        call.stop()
        var trailers = call.headersSent ? HPACKHeaders() : Self.responseHeaders
        status.add(to: &trailers)
        // The trailers may wait behind data held by flow control; what follows them waits for their write.
        let written = context.eventLoop.makePromise(of: Void.self)
        let frame = HTTP2Frame(streamID: call.streamID, payload: .headers(.init(headers: trailers, endStream: true)))
        context.write(Self.wrapOutboundOut(frame), promise: written)
        self.pendingTrailers += 1
        self.scheduleFlush()
        let (streamID, resetAfter) = (call.streamID, !call.clientEnded)
        written.futureResult.whenComplete { _ in
            let handler = loopBound.value
            handler.pendingTrailers -= 1
            if resetAfter {
                handler.write(HTTP2Frame(streamID: streamID, payload: .rstStream(.noError)))
            }
            handler.closeIfDrained()
        }
        self.pingPolicy.responded()
        call.count(code: status.code)
    }

    /// The client reset the stream or it closed underneath: the call stops without an answer.
    private func abandon(_ streamID: HTTP2StreamID) {
        guard let call = self.calls.removeValue(forKey: streamID) else { return }
        call.stop()
        call.count(code: RPCError.Code.cancelled.rawValue)
        self.closeIfDrained()
    }

    /// Writes `messages` as one DATA frame (the codec splits it to the peer's frame size and windows).
    private func writeMessages(_ messages: [[UInt8]], on call: GRPCServerCall, promise: EventLoopPromise<Void>?) {
        guard let context = self.context else {
            promise?.fail(CancellationError())
            return
        }
        guard !messages.isEmpty else {
            promise?.succeed()
            return
        }
        if !call.headersSent {
            call.headersSent = true
            self.write(HTTP2Frame(streamID: call.streamID, payload: .headers(.init(headers: Self.responseHeaders))))
        }
        let framed = GRPCMessageFramer.frame(messages, allocator: context.channel.allocator)
        context.write(Self.wrapOutboundOut(HTTP2Frame(streamID: call.streamID, payload: .data(.init(data: .byteBuffer(framed))))), promise: promise)
        call.method.series?.messagesSent.increment(by: messages.count)
        self.pingPolicy.responded()
    }

    private static let responseHeaders: HPACKHeaders = [":status": "200", "content-type": "application/grpc"]

    // MARK: Flow control

    /// Accounts for a DATA frame of `length` bytes that completed `count` messages. A unary call's bytes
    /// are given back at once (the call holds one bounded message), and so are bytes that completed no
    /// message (a message may be larger than the window). A streaming call's completed messages earn
    /// their credit back only once the call takes them (``consumedRequest(on:)``).
    private func receivedCredit(_ length: Int, completing count: Int, on call: GRPCServerCall) {
        if case .streaming = call.method.handler, count > 0 {
            call.heldCredit.append((call.delivered, length))
        } else {
            self.returnStreamCredit(length, to: call)
        }
    }

    /// A streaming call took one more request message: the credit held for the messages it has now taken
    /// goes back to the client.
    private func consumedRequest(on streamID: HTTP2StreamID) {
        guard let call = self.calls[streamID] else { return }
        call.consumed += 1
        var released = 0
        while call.heldStart < call.heldCredit.count, call.heldCredit[call.heldStart].throughMessage <= call.consumed {
            released += call.heldCredit[call.heldStart].bytes
            call.heldStart += 1
        }
        if call.heldStart >= 1_024 && call.heldStart * 2 >= call.heldCredit.count {
            call.heldCredit.removeFirst(call.heldStart)
            call.heldStart = 0
        }
        if released > 0 { self.returnStreamCredit(released, to: call) }
    }

    /// Gives `length` bytes back to the client, in updates of at least half the window.
    private func returnStreamCredit(_ length: Int, to call: GRPCServerCall) {
        call.unreturnedCredit += length
        guard call.unreturnedCredit >= Self.streamWindow / 2, !call.clientEnded else { return }
        self.write(HTTP2Frame(streamID: call.streamID, payload: .windowUpdate(windowSizeIncrement: call.unreturnedCredit)))
        call.unreturnedCredit = 0
    }

    // MARK: Connection

    private func start(context: ChannelHandlerContext) {
        guard !self.started else { return }
        self.started = true
        self.scheduleKeepaliveCheck(in: TimeAmount(self.configuration.keepaliveInterval))
    }

    /// Stops taking calls: a GOAWAY naming the last stream accepted, then the connection closes once the
    /// calls open now have ended.
    func drain() {
        guard !self.draining else { return }
        self.goAway(.noError, debugData: nil, thenClose: false)
        self.closeIfDrained()
    }

    private func goAway(_ code: HTTP2ErrorCode, debugData: String?, thenClose: Bool) {
        guard let context = self.context else { return }
        self.draining = true
        let data = debugData.map { context.channel.allocator.buffer(string: $0) }
        self.write(HTTP2Frame(streamID: .rootStream, payload: .goAway(lastStreamID: self.lastStreamID, errorCode: code, opaqueData: data)))
        context.flush()
        if thenClose { context.close(promise: nil) }
    }

    private func closeIfDrained() {
        guard self.draining, self.calls.isEmpty, self.pendingTrailers == 0, let context = self.context else { return }
        context.flush()
        context.close(promise: nil)
    }

    private func stopEverything() {
        let calls = self.calls
        self.calls = [:]
        for call in calls.values {
            call.stop()
            call.count(code: RPCError.Code.cancelled.rawValue)
        }
        self.keepaliveCheck?.cancel()
        self.keepaliveTimeout?.cancel()
        self.keepaliveCheck = nil
        self.keepaliveTimeout = nil
    }

    // MARK: Keepalive

    private func scheduleKeepaliveCheck(in delay: TimeAmount) {
        guard let loopBound else { return }
        self.keepaliveCheck = loopBound.eventLoop.scheduleTask(in: delay) {
            loopBound.value.checkIdle()
        }
    }

    /// Pings a client that has sent nothing for a keepalive interval, and closes the connection if the
    /// answer does not come within the keepalive timeout.
    private func checkIdle() {
        let interval = TimeAmount(self.configuration.keepaliveInterval)
        let idle = NIODeadline.now() - self.lastActivity
        guard idle >= interval else {
            self.scheduleKeepaliveCheck(in: interval - idle)
            return
        }
        guard let context = self.context, let loopBound else { return }
        self.write(HTTP2Frame(streamID: .rootStream, payload: .ping(Self.keepalivePing, ack: false)))
        context.flush()
        let timeout = TimeAmount(self.configuration.keepaliveTimeout)
        self.keepaliveTimeout = loopBound.eventLoop.scheduleTask(in: timeout) {
            loopBound.value.context?.close(promise: nil)
        }
    }

    private func receivedPingAnswer(_ data: HTTP2PingData) {
        guard data == Self.keepalivePing, let timeout = self.keepaliveTimeout else { return }
        timeout.cancel()
        self.keepaliveTimeout = nil
        self.scheduleKeepaliveCheck(in: TimeAmount(self.configuration.keepaliveInterval))
    }

    // MARK: Writing

    private func write(_ frame: HTTP2Frame) {
        guard let context = self.context else { return }
        context.write(Self.wrapOutboundOut(frame), promise: nil)
        self.scheduleFlush()
    }

    /// Flushes once the event loop has run what is already queued, so answers completed together share a flush.
    private func scheduleFlush() {
        guard !self.flushScheduled, let loopBound else { return }
        self.flushScheduled = true
        loopBound.eventLoop.execute {
            let handler = loopBound.value
            handler.flushScheduled = false
            handler.context?.flush()
        }
    }
}

/// A streaming call's response sink: each write's messages hop to the connection's event loop together and
/// are written there with one flush.
private struct CallResponseSink: GRPCResponseSink {
    let connection: NIOLoopBound<GRPCConnectionHandler>
    let streamID: HTTP2StreamID

    func write(contentsOf messages: [[UInt8]]) async throws {
        let promise = self.connection.eventLoop.makePromise(of: Void.self)
        let (connection, streamID) = (self.connection, self.streamID)
        connection.eventLoop.execute { connection.value.send(messages, on: streamID, promise: promise) }
        try await promise.futureResult.get()
    }
}

/// One series of `etcd_server_client_requests_total`.
private struct ClientRequestSeries: Hashable {
    let kind: RequestMetrics.CallKind
    let apiVersion: String
}
