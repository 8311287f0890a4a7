import Foundation
import NIOCore
import NIOHPACK
import NIOHTTP2
import NIOPosix
import Synchronization

/// A bare HTTP/2 connection to a member's client port, frame by frame, for the details of gRPC's wire
/// format that a gRPC client library hides: trailers, resets, GOAWAY, pings, flow control.
final class RawHTTP2: Sendable {
    /// The window this client offers for the server's data, on the connection and on every stream.
    static let window = 16 << 20

    private let channel: any Channel
    private let received: FrameLog

    private init(channel: any Channel, received: FrameLog) {
        self.channel = channel
        self.received = received
    }

    /// Connects to 127.0.0.1:`port` and opens the client's flow-control windows to `window` bytes (wide
    /// unless a test wants the server's answers held back).
    static func connect(port: Int, window: Int = RawHTTP2.window) async throws -> RawHTTP2 {
        let log = FrameLog()
        let settings: HTTP2Settings = [HTTP2Setting(parameter: .initialWindowSize, value: window)]
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOHTTP2Handler(mode: .client, initialSettings: settings))
                    try channel.pipeline.syncOperations.addHandler(FrameCollector(log: log))
                }
            }
            .connect(host: "127.0.0.1", port: port)
            .get()
        let connection = RawHTTP2(channel: channel, received: log)
        if window > 65_535 {
            try await connection.send(HTTP2Frame(streamID: .rootStream, payload: .windowUpdate(windowSizeIncrement: window - 65_535)))
        }
        return connection
    }

    /// Writes and flushes `frame`.
    func send(_ frame: HTTP2Frame) async throws {
        try await self.channel.writeAndFlush(frame).get()
    }

    /// Writes and flushes `frame`; false if it has not gone out within `timeout` (the server's flow-control
    /// window is closed: NIOHTTP2 holds the frame until credit comes).
    func send(_ frame: HTTP2Frame, within timeout: Duration) async -> Bool {
        let box = OutcomeBox()
        self.channel.writeAndFlush(frame).whenComplete { result in box.set((try? result.get()) != nil) }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let written = box.value { return written }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return false
    }

    /// The settings the server announced in its first SETTINGS frame.
    func serverSettings(timeout: Duration = .seconds(10)) async throws -> HTTP2Settings {
        let frame = try await self.connectionFrame(timeout: timeout) { payload in
            if case .settings(.settings(let settings)) = payload { return !settings.isEmpty }
            return false
        }
        guard case .settings(.settings(let settings)) = frame.payload else { return [] }
        return settings
    }

    /// Writes `frames` and flushes them together, so they leave before any answer can arrive; frames the
    /// client's HTTP/2 state refuses (on a stream reset meanwhile) are dropped.
    func sendTogether(_ frames: [HTTP2Frame]) async {
        let writes = frames.map { self.channel.write($0) }
        self.channel.flush()
        for write in writes { try? await write.get() }
    }

    /// Opens stream `streamID` with a gRPC request's headers for `path`; `extra` adds or replaces fields.
    func startCall(_ streamID: Int, path: String, extra: [(String, String)] = [], endStream: Bool = false) async throws {
        var headers: HPACKHeaders = [
            ":method": "POST", ":scheme": "http", ":path": path, ":authority": "127.0.0.1",
            "content-type": "application/grpc", "te": "trailers",
        ]
        for (name, value) in extra { headers.replaceOrAdd(name: name, value: value) }
        let frame = HTTP2Frame(streamID: HTTP2StreamID(streamID), payload: .headers(.init(headers: headers, endStream: endStream)))
        try await self.send(frame)
    }

    /// Sends `bytes` as a DATA frame on stream `streamID`.
    func sendData(_ streamID: Int, _ bytes: [UInt8], endStream: Bool) async throws {
        let buffer = ByteBuffer(bytes: bytes)
        try await self.send(HTTP2Frame(streamID: HTTP2StreamID(streamID), payload: .data(.init(data: .byteBuffer(buffer), endStream: endStream))))
    }

    /// `message` with gRPC's five-byte prefix; `compressed` sets its flag.
    static func grpcMessage(_ message: [UInt8], compressed: Bool = false) -> [UInt8] {
        let length = UInt32(message.count)
        return [compressed ? 1 : 0, UInt8(length >> 24), UInt8((length >> 16) & 0xFF), UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF)]
            + message
    }

    /// Waits for the stream to end (a frame with END_STREAM, or a reset) and returns all frames it got.
    func frames(of streamID: Int, timeout: Duration = .seconds(10)) async throws -> [HTTP2Frame] {
        let id = HTTP2StreamID(streamID)
        return try await self.received.wait(timeout: timeout) { frames in
            let mine = frames.filter { $0.streamID == id }
            return mine.contains(where: Self.endsStream) ? mine : nil
        }
    }

    /// Waits for a frame on the connection (stream 0) that `matches`.
    func connectionFrame(timeout: Duration = .seconds(10), where matches: @escaping @Sendable (HTTP2Frame.FramePayload) -> Bool) async throws -> HTTP2Frame {
        try await self.frame(on: 0, timeout: timeout, where: matches)
    }

    /// Waits for a frame on stream `streamID` that `matches`.
    func frame(
        on streamID: Int,
        timeout: Duration = .seconds(10),
        where matches: @escaping @Sendable (HTTP2Frame.FramePayload) -> Bool
    ) async throws -> HTTP2Frame {
        let id = HTTP2StreamID(streamID)
        return try await self.received.wait(timeout: timeout) { frames in
            frames.first { $0.streamID == id && matches($0.payload) }
        }
    }

    /// Whether the server has closed the connection.
    var isClosed: Bool { self.received.closed }

    /// Closes the connection.
    func close() async {
        try? await self.channel.close()
    }

    private static func endsStream(_ frame: HTTP2Frame) -> Bool {
        switch frame.payload {
        case .headers(let headers): headers.endStream
        case .data(let data): data.endStream
        case .rstStream: true
        default: false
        }
    }
}

/// What one stream's frames say, read as a gRPC response.
struct GRPCAnswer {
    var headers: [HPACKHeaders] = []
    var data: [UInt8] = []
    var reset: HTTP2ErrorCode?

    init(_ frames: [HTTP2Frame]) {
        for frame in frames {
            switch frame.payload {
            case .headers(let headers): self.headers.append(headers.headers)
            case .data(let data):
                if case .byteBuffer(let buffer) = data.data { self.data += Array(buffer.readableBytesView) }
            case .rstStream(let code): self.reset = code
            default: break
            }
        }
    }

    /// The last header block's field `name` (the trailers' for a call that ended).
    func trailer(_ name: String) -> String? {
        self.headers.last?.first(name: name)
    }

    /// The first header block's field `name`.
    func header(_ name: String) -> String? {
        self.headers.first?.first(name: name)
    }
}

/// Whether a write completed, and how.
private final class OutcomeBox: Sendable {
    private let outcome = Mutex<Bool?>(nil)

    func set(_ written: Bool) { self.outcome.withLock { $0 = written } }
    var value: Bool? { self.outcome.withLock { $0 } }
}

/// Frames the client received, and waiting for the ones a test expects.
private final class FrameLog: Sendable {
    private let state = Mutex<(frames: [HTTP2Frame], closed: Bool)>(([], false))

    func append(_ frame: HTTP2Frame) {
        self.state.withLock { $0.frames.append(frame) }
    }

    func markClosed() {
        self.state.withLock { $0.closed = true }
    }

    var closed: Bool { self.state.withLock { $0.closed } }

    struct Timeout: Error, CustomStringConvertible {
        let frames: [HTTP2Frame]
        var description: String { "the expected frames did not come; received: \(self.frames)" }
    }

    func wait<T>(timeout: Duration, until found: ([HTTP2Frame]) -> T?) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        while true {
            let frames = self.state.withLock { $0.frames }
            if let result = found(frames) { return result }
            guard ContinuousClock.now < deadline else { throw Timeout(frames: frames) }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

private final class FrameCollector: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTP2Frame

    private let log: FrameLog

    init(log: FrameLog) {
        self.log = log
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.log.append(Self.unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.log.markClosed()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {}
}
