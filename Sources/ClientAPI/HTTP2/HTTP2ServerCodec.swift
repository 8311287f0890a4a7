import NIOCore
import NIOHPACK
import NIOHTTP2

/// The server's side of HTTP/2 on a client connection, in one handler: bytes in, ``HTTP2Frame``s up to the
/// gRPC handler; its frames down, bytes out. It keeps what RFC 9113 asks of a server: the settings
/// exchange, acknowledgements of SETTINGS and PING, flow control both ways (the connection's receive window
/// kept open here, the streams' given back by the handler), stream states and the concurrent-stream limit,
/// and GOAWAY on a protocol violation. No priorities and no server push: gRPC uses neither. The frames
/// written before a flush leave in one buffer.
public final class HTTP2ServerCodec: ChannelDuplexHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = HTTP2Frame
    public typealias OutboundIn = HTTP2Frame
    public typealias OutboundOut = ByteBuffer

    /// What the server announces and enforces.
    public struct Settings: Sendable {
        /// `SETTINGS_MAX_CONCURRENT_STREAMS`; a stream past it is refused (`REFUSED_STREAM`).
        public var maxConcurrentStreams: Int
        /// `SETTINGS_INITIAL_WINDOW_SIZE`: each stream's receive window.
        public var streamWindow: Int
        /// The connection's receive window, topped up whenever half of it is used.
        public var connectionWindow: Int
        /// `SETTINGS_MAX_HEADER_LIST_SIZE`, enforced when a header block is decoded.
        public var maxHeaderListSize: Int
        /// PINGs and SETTINGS (each needs an answer) a client may send in 30 seconds.
        public var maxControlFramesPer30Seconds: Int
        /// Streams a client may reset in 30 seconds (a bound on "rapid reset").
        public var maxResetsPer30Seconds: Int
        /// DATA frames that carry no data and do not end their stream (work for the server, nothing for
        /// the request) a client may send in 30 seconds.
        public var maxEmptyFramesPer30Seconds: Int

        public init(
            maxConcurrentStreams: Int,
            streamWindow: Int,
            connectionWindow: Int,
            maxHeaderListSize: Int,
            maxControlFramesPer30Seconds: Int,
            maxResetsPer30Seconds: Int,
            maxEmptyFramesPer30Seconds: Int
        ) {
            self.maxConcurrentStreams = maxConcurrentStreams
            self.streamWindow = streamWindow
            self.connectionWindow = connectionWindow
            self.maxHeaderListSize = maxHeaderListSize
            self.maxControlFramesPer30Seconds = maxControlFramesPer30Seconds
            self.maxResetsPer30Seconds = maxResetsPer30Seconds
            self.maxEmptyFramesPer30Seconds = maxEmptyFramesPer30Seconds
        }
    }

    /// A write to a stream that is closed, or whose connection is.
    public struct StreamClosed: Error {}

    private let settings: Settings
    private var parser: HTTP2FrameParser?
    private var writer: HTTP2FrameWriter?
    private var out = ByteBuffer()
    private var outPromises: [EventLoopPromise<Void>] = []
    private var streams: [HTTP2StreamID: HTTP2StreamState] = [:]
    private var highestStreamID = HTTP2StreamID.rootStream
    private var started = false
    private var failed = false
    private var peerMaxFrameSize = HTTP2Wire.defaultMaxFrameSize
    private var peerInitialWindow = HTTP2Wire.defaultWindow
    private var connectionSendWindow = HTTP2Wire.defaultWindow
    private var connectionReceiveWindow = HTTP2Wire.defaultWindow
    /// Streams with data waiting for the connection's send window, in the order they started waiting.
    private var waitingForConnectionWindow = CircularBuffer<HTTP2StreamID>()
    private var controlFrames: RateBound
    private var resets: RateBound
    private var emptyFrames: RateBound

    public init(settings: Settings) {
        self.settings = settings
        self.controlFrames = RateBound(limit: settings.maxControlFramesPer30Seconds)
        self.resets = RateBound(limit: settings.maxResetsPer30Seconds)
        self.emptyFrames = RateBound(limit: settings.maxEmptyFramesPer30Seconds)
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        let allocator = context.channel.allocator
        self.parser = HTTP2FrameParser(maxHeaderListSize: self.settings.maxHeaderListSize, allocator: allocator)
        self.writer = HTTP2FrameWriter(allocator: allocator)
        self.out = allocator.buffer(capacity: 1_024)
        if context.channel.isActive { self.start(context: context) }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        self.failEverything()
    }

    public func channelActive(context: ChannelHandlerContext) {
        self.start(context: context)
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        self.failEverything()
        context.fireChannelInactive()
    }

    /// The server's preface: its SETTINGS, then the connection's receive window opened to its size.
    private func start(context: ChannelHandlerContext) {
        guard !self.started else { return }
        self.started = true
        HTTP2FrameWriter.writeSettings(
            [(3, self.settings.maxConcurrentStreams), (4, self.settings.streamWindow), (6, self.settings.maxHeaderListSize)],
            into: &self.out
        )
        self.openConnectionWindow()
        self.flush(context: context)
    }

    // MARK: Inbound

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !self.failed, self.parser != nil else { return }
        self.parser!.append(Self.unwrapInboundIn(data))
        do {
            while !self.failed, let frame = try self.parser!.nextFrame() {
                try self.receive(frame, context: context)
            }
        } catch let error as HTTP2ConnectionError {
            self.fail(context: context, error)
        } catch {
            self.fail(context: context, HTTP2ConnectionError(.internalError, "\(error)"))
        }
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        if self.out.readableBytes > 0 { self.flush(context: context) }
        context.fireChannelReadComplete()
    }

    private func receive(_ frame: HTTP2Frame, context: ChannelHandlerContext) throws {
        let id = frame.streamID
        switch frame.payload {
        case .data(let data):
            try self.receive(data, on: id, frame: frame, context: context)
        case .headers(let headers):
            try self.receive(headers, on: id, frame: frame, context: context)
        case .rstStream:
            guard let stream = self.streams[id] else {
                if id > self.highestStreamID { throw HTTP2ConnectionError(.protocolError, "RST_STREAM on idle stream \(id)") }
                return
            }
            try self.resets.count(HTTP2ConnectionError(.enhanceYourCalm, "too many stream resets"))
            self.close(id, stream)
            context.fireChannelRead(Self.wrapInboundOut(frame))
        case .settings(.settings(let settings)):
            try self.controlFrames.count(HTTP2ConnectionError(.enhanceYourCalm, "too many control frames"))
            try self.apply(settings)
            HTTP2FrameWriter.writeSettingsAck(into: &self.out)
        case .ping(let data, let ack):
            if !ack {
                try self.controlFrames.count(HTTP2ConnectionError(.enhanceYourCalm, "too many control frames"))
                HTTP2FrameWriter.writePing(data, ack: true, into: &self.out)
            }
            context.fireChannelRead(Self.wrapInboundOut(frame))
        case .windowUpdate(let increment):
            try self.receiveWindowUpdate(increment, on: id)
            context.fireChannelRead(Self.wrapInboundOut(frame))
        case .goAway:
            context.fireChannelRead(Self.wrapInboundOut(frame))
        default:
            break
        }
    }

    private func receive(_ data: HTTP2Frame.FramePayload.Data, on id: HTTP2StreamID, frame: HTTP2Frame, context: ChannelHandlerContext) throws {
        let length = data.data.readableBytes + (data.paddingBytes.map { $0 + 1 } ?? 0)
        if length == 0 && !data.endStream {
            try self.emptyFrames.count(HTTP2ConnectionError(.enhanceYourCalm, "too many empty DATA frames"))
        }
        self.connectionReceiveWindow -= length
        guard self.connectionReceiveWindow >= 0 else { throw HTTP2ConnectionError(.flowControlError, "DATA beyond the connection's window") }
        if self.connectionReceiveWindow < self.settings.connectionWindow / 2 { self.openConnectionWindow() }
        guard let stream = self.streams[id] else {
            // Data in flight to a stream closed since is dropped; a stream never opened is a violation.
            if id > self.highestStreamID { throw HTTP2ConnectionError(.protocolError, "DATA on idle stream \(id)") }
            return
        }
        guard !stream.remoteEnded else { return self.resetStream(id, stream, .streamClosed, context: context) }
        stream.receiveWindow -= length
        guard stream.receiveWindow >= 0 else { return self.resetStream(id, stream, .flowControlError, context: context) }
        if data.endStream { self.remoteEnded(id, stream) }
        context.fireChannelRead(Self.wrapInboundOut(frame))
    }

    private func receive(_ headers: HTTP2Frame.FramePayload.Headers, on id: HTTP2StreamID, frame: HTTP2Frame, context: ChannelHandlerContext) throws {
        if let stream = self.streams[id] {
            // Trailers: the request's last frame.
            guard !stream.remoteEnded else { return self.resetStream(id, stream, .streamClosed, context: context) }
            guard headers.endStream, HTTP2HeaderCheck.isValidTrailers(headers.headers) else {
                return self.resetStream(id, stream, .protocolError, context: context)
            }
            self.remoteEnded(id, stream)
            context.fireChannelRead(Self.wrapInboundOut(frame))
            return
        }
        guard id > self.highestStreamID else { throw HTTP2ConnectionError(.streamClosed, "HEADERS on closed stream \(id)") }
        guard id.isClientInitiated else { throw HTTP2ConnectionError(.protocolError, "a client may not open even stream \(id)") }
        self.highestStreamID = id
        guard HTTP2HeaderCheck.isValidRequest(headers.headers) else {
            HTTP2FrameWriter.writeRstStream(.protocolError, on: id, into: &self.out)
            return
        }
        guard self.streams.count < self.settings.maxConcurrentStreams else {
            HTTP2FrameWriter.writeRstStream(.refusedStream, on: id, into: &self.out)
            return
        }
        self.streams[id] = HTTP2StreamState(
            sendWindow: self.peerInitialWindow,
            receiveWindow: self.settings.streamWindow,
            remoteEnded: headers.endStream
        )
        context.fireChannelRead(Self.wrapInboundOut(frame))
    }

    private func receiveWindowUpdate(_ increment: Int, on id: HTTP2StreamID) throws {
        guard id != .rootStream else {
            guard increment > 0 else { throw HTTP2ConnectionError(.protocolError, "WINDOW_UPDATE of 0 on the connection") }
            self.connectionSendWindow += increment
            guard self.connectionSendWindow <= HTTP2Wire.maxWindow else {
                throw HTTP2ConnectionError(.flowControlError, "connection window beyond 2^31-1")
            }
            self.sendWaitingForConnectionWindow()
            return
        }
        guard let stream = self.streams[id] else {
            if id > self.highestStreamID { throw HTTP2ConnectionError(.protocolError, "WINDOW_UPDATE on idle stream \(id)") }
            return
        }
        guard increment > 0 else { throw HTTP2ConnectionError(.protocolError, "WINDOW_UPDATE of 0 on stream \(id)") }
        stream.sendWindow += increment
        guard stream.sendWindow <= HTTP2Wire.maxWindow else { throw HTTP2ConnectionError(.flowControlError, "stream window beyond 2^31-1") }
        self.sendPending(id, stream)
    }

    private func apply(_ settings: HTTP2Settings) throws {
        for setting in settings {
            switch setting.parameter {
            case .headerTableSize:
                self.writer?.limitHeaderTable(to: setting.value)
            case .enablePush:
                guard setting.value <= 1 else { throw HTTP2ConnectionError(.protocolError, "SETTINGS_ENABLE_PUSH of \(setting.value)") }
            case .initialWindowSize:
                guard setting.value <= HTTP2Wire.maxWindow else {
                    throw HTTP2ConnectionError(.flowControlError, "SETTINGS_INITIAL_WINDOW_SIZE beyond 2^31-1")
                }
                let change = setting.value - self.peerInitialWindow
                self.peerInitialWindow = setting.value
                for stream in self.streams.values {
                    stream.sendWindow += change
                    guard stream.sendWindow <= HTTP2Wire.maxWindow else { throw HTTP2ConnectionError(.flowControlError, "stream window beyond 2^31-1") }
                }
                if change > 0 {
                    for (id, stream) in self.streams where !stream.pending.isEmpty { self.sendPending(id, stream) }
                }
            case .maxFrameSize:
                guard (HTTP2Wire.defaultMaxFrameSize...HTTP2Wire.maxAllowedFrameSize).contains(setting.value) else {
                    throw HTTP2ConnectionError(.protocolError, "SETTINGS_MAX_FRAME_SIZE of \(setting.value)")
                }
                self.peerMaxFrameSize = setting.value
            default:
                break
            }
        }
    }

    // MARK: Outbound

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let frame = Self.unwrapOutboundIn(data)
        let id = frame.streamID
        guard !self.failed else {
            promise?.fail(StreamClosed())
            return
        }
        switch frame.payload {
        case .headers(let headers):
            self.enqueue(.headers(headers.headers, endStream: headers.endStream, promise: promise), on: id)
        case .data(let data):
            guard case .byteBuffer(let bytes) = data.data else {
                promise?.fail(StreamClosed())
                return
            }
            self.enqueue(.data(bytes, endStream: data.endStream, promise: promise), on: id)
        case .rstStream(let code):
            // A stream closed already (both ends, or reset by the client) needs no reset.
            guard let stream = self.streams[id] else {
                promise?.succeed()
                return
            }
            self.close(id, stream)
            HTTP2FrameWriter.writeRstStream(code, on: id, into: &self.out)
            self.attach(promise)
        case .windowUpdate(let increment):
            if id == .rootStream {
                self.connectionReceiveWindow += increment
            } else if let stream = self.streams[id], !stream.remoteEnded {
                stream.receiveWindow += increment
            } else {
                promise?.succeed()
                return
            }
            HTTP2FrameWriter.writeWindowUpdate(increment, on: id, into: &self.out)
            self.attach(promise)
        case .ping(let data, let ack):
            HTTP2FrameWriter.writePing(data, ack: ack, into: &self.out)
            self.attach(promise)
        case .goAway(let lastStreamID, let code, let debugData):
            HTTP2FrameWriter.writeGoAway(lastStreamID: lastStreamID, code: code, debugData: debugData, into: &self.out)
            self.attach(promise)
        default:
            promise?.fail(StreamClosed())
        }
    }

    public func flush(context: ChannelHandlerContext) {
        self.emit(context: context)
        context.flush()
    }

    private func enqueue(_ frame: HTTP2StreamState.Pending, on id: HTTP2StreamID) {
        guard let stream = self.streams[id], !stream.endQueued else {
            frame.promise?.fail(StreamClosed())
            return
        }
        stream.endQueued = frame.endStream
        stream.pending.append(frame)
        if stream.pending.count == 1 { self.sendPending(id, stream) }
    }

    /// Sends a stream's queued frames in order, as far as the send windows allow.
    private func sendPending(_ id: HTTP2StreamID, _ stream: HTTP2StreamState) {
        while let next = stream.pending.first {
            switch next {
            case .headers(let headers, let endStream, let promise):
                stream.pending.removeFirst()
                self.writer!.writeHeaders(headers, endStream: endStream, on: id, maxFrameSize: self.peerMaxFrameSize, into: &self.out)
                self.attach(promise)
                if endStream { self.localEnded(id, stream) }
            case .data(var bytes, let endStream, let promise):
                let allowed = min(stream.sendWindow, self.connectionSendWindow)
                if bytes.readableBytes > 0 && allowed <= 0 {
                    if stream.sendWindow > 0 { self.waitForConnectionWindow(id, stream) }
                    return
                }
                let length = max(0, min(bytes.readableBytes, allowed, self.peerMaxFrameSize))
                let chunk = bytes.readSlice(length: length)!
                let last = bytes.readableBytes == 0
                stream.sendWindow -= length
                self.connectionSendWindow -= length
                HTTP2FrameWriter.writeDataHeader(length: length, endStream: last && endStream, on: id, into: &self.out)
                self.out.writeImmutableBuffer(chunk)
                if last {
                    stream.pending.removeFirst()
                    self.attach(promise)
                    if endStream { self.localEnded(id, stream) }
                } else {
                    stream.pending[stream.pending.startIndex] = .data(bytes, endStream: endStream, promise: promise)
                }
            }
        }
    }

    private func waitForConnectionWindow(_ id: HTTP2StreamID, _ stream: HTTP2StreamState) {
        guard !stream.waitingForConnectionWindow else { return }
        stream.waitingForConnectionWindow = true
        self.waitingForConnectionWindow.append(id)
    }

    private func sendWaitingForConnectionWindow() {
        var count = self.waitingForConnectionWindow.count
        while count > 0, self.connectionSendWindow > 0, let id = self.waitingForConnectionWindow.popFirst() {
            count -= 1
            guard let stream = self.streams[id] else { continue }
            stream.waitingForConnectionWindow = false
            self.sendPending(id, stream)
        }
    }

    /// Adds `promise` to those completed by the write of what the buffer holds now.
    private func attach(_ promise: EventLoopPromise<Void>?) {
        if let promise { self.outPromises.append(promise) }
    }

    /// Hands the frames serialized so far to the channel in one write.
    private func emit(context: ChannelHandlerContext) {
        guard self.out.readableBytes > 0 else { return }
        let promises = self.outPromises
        self.outPromises = []
        let bytes = self.out
        self.out = context.channel.allocator.buffer(capacity: max(1_024, min(bytes.readableBytes, 1 << 16)))
        switch promises.count {
        case 0:
            context.write(Self.wrapOutboundOut(bytes), promise: nil)
        case 1:
            context.write(Self.wrapOutboundOut(bytes), promise: promises[0])
        default:
            let written = context.eventLoop.makePromise(of: Void.self)
            for promise in promises { written.futureResult.cascade(to: promise) }
            context.write(Self.wrapOutboundOut(bytes), promise: written)
        }
    }

    // MARK: Stream and connection states

    private func remoteEnded(_ id: HTTP2StreamID, _ stream: HTTP2StreamState) {
        stream.remoteEnded = true
        if stream.localEnded { self.streams[id] = nil }
    }

    private func localEnded(_ id: HTTP2StreamID, _ stream: HTTP2StreamState) {
        stream.localEnded = true
        if stream.remoteEnded { self.streams[id] = nil }
    }

    /// Closes a stream at once; what it still had to send is dropped.
    private func close(_ id: HTTP2StreamID, _ stream: HTTP2StreamState) {
        self.streams[id] = nil
        stream.failPending()
    }

    /// A stream error: the stream is reset, and the handler hears of it as a reset.
    private func resetStream(_ id: HTTP2StreamID, _ stream: HTTP2StreamState, _ code: HTTP2ErrorCode, context: ChannelHandlerContext) {
        self.close(id, stream)
        HTTP2FrameWriter.writeRstStream(code, on: id, into: &self.out)
        context.fireChannelRead(Self.wrapInboundOut(HTTP2Frame(streamID: id, payload: .rstStream(code))))
    }

    private func openConnectionWindow() {
        HTTP2FrameWriter.writeWindowUpdate(self.settings.connectionWindow - self.connectionReceiveWindow, on: .rootStream, into: &self.out)
        self.connectionReceiveWindow = self.settings.connectionWindow
    }

    /// A connection error: GOAWAY with its code and reason, then the connection closes.
    private func fail(context: ChannelHandlerContext, _ error: HTTP2ConnectionError) {
        guard !self.failed else { return }
        let reason = context.channel.allocator.buffer(string: error.reason)
        HTTP2FrameWriter.writeGoAway(lastStreamID: self.highestStreamID, code: error.code, debugData: reason, into: &self.out)
        self.failed = true
        self.flush(context: context)
        context.close(promise: nil)
    }

    private func failEverything() {
        let streams = self.streams
        self.streams = [:]
        for stream in streams.values { stream.failPending() }
        let promises = self.outPromises
        self.outPromises = []
        for promise in promises { promise.fail(StreamClosed()) }
    }
}

/// Counts events in windows of 30 seconds and throws `error` past `limit` in one window.
private struct RateBound {
    let limit: Int
    private var windowStart = NIODeadline.now()
    private var count = 0

    init(limit: Int) { self.limit = limit }

    mutating func count(_ error: @autoclosure () -> HTTP2ConnectionError) throws(HTTP2ConnectionError) {
        let now = NIODeadline.now()
        if now - self.windowStart > .seconds(30) {
            (self.windowStart, self.count) = (now, 0)
        }
        self.count += 1
        guard self.count <= self.limit else { throw error() }
    }
}
