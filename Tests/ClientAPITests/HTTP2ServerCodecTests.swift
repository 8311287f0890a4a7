import ClientAPI
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import NIOHPACK
import NIOHTTP2
import Testing

/// Records the frames the codec passes up, as the gRPC handler would get them.
private final class FrameRecorder: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTP2Frame
    let frames = NIOLockedValueBox<[HTTP2Frame]>([])

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = Self.unwrapInboundIn(data)
        self.frames.withLockedValue { $0.append(frame) }
    }

    var all: [HTTP2Frame] { self.frames.withLockedValue { $0 } }
}

/// One frame as it crossed the wire.
private struct WireFrame: Equatable {
    var type: UInt8
    var flags: UInt8
    var stream: UInt32
    var payload: [UInt8]

    var errorCode: UInt32? {
        switch self.type {
        case 0x3: self.payload.prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
        case 0x7: self.payload.dropFirst(4).prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
        default: nil
        }
    }

    static func bytes(type: UInt8, flags: UInt8 = 0, stream: UInt32, payload: [UInt8] = []) -> [UInt8] {
        let length = payload.count
        return [UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff), type, flags]
            + withUnsafeBytes(of: stream.bigEndian, Array.init) + payload
    }
}

/// A codec on an embedded channel, fed raw bytes as a client would send them.
private struct CodecHarness {
    static let settings = HTTP2ServerCodec.Settings(
        maxConcurrentStreams: 2,
        streamWindow: 1_000,
        connectionWindow: 1 << 20,
        maxHeaderListSize: 16_384,
        maxControlFramesPer30Seconds: 20,
        maxResetsPer30Seconds: 3,
        maxEmptyFramesPer30Seconds: 5
    )

    let channel = EmbeddedChannel()
    let recorder = FrameRecorder()
    var encoder = HPACKEncoder(allocator: ByteBufferAllocator(), useHuffmanEncoding: false)

    init(settings: HTTP2ServerCodec.Settings = Self.settings, preface: Bool = true) throws {
        try self.channel.pipeline.syncOperations.addHandler(HTTP2ServerCodec(settings: settings))
        try self.channel.pipeline.syncOperations.addHandler(self.recorder)
        try self.channel.connect(to: .init(ipAddress: "127.0.0.1", port: 1)).wait()
        if preface {
            try self.send(Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8) + WireFrame.bytes(type: 0x4, stream: 0))
        }
    }

    func send(_ bytes: [UInt8]) throws {
        try self.channel.writeInbound(ByteBuffer(bytes: bytes))
        self.channel.pipeline.fireChannelReadComplete()
    }

    mutating func headerBlock(_ headers: [(String, String)]) throws -> [UInt8] {
        var block = ByteBuffer()
        try self.encoder.encode(headers: HPACKHeaders(headers), to: &block)
        return Array(block.readableBytesView)
    }

    /// A gRPC request's HEADERS on `stream`.
    mutating func requestHeaders(_ stream: UInt32, endStream: Bool = false, extra: [(String, String)] = []) throws -> [UInt8] {
        let block = try self.headerBlock(
            [(":method", "POST"), (":scheme", "http"), (":path", "/etcdserverpb.KV/Range"), (":authority", "x"), ("content-type", "application/grpc")] + extra
        )
        return WireFrame.bytes(type: 0x1, flags: 0x4 | (endStream ? 0x1 : 0), stream: stream, payload: block)
    }

    /// Everything the codec has written so far, cut into frames.
    func written() throws -> [WireFrame] {
        var bytes = ByteBuffer()
        while var chunk = try self.channel.readOutbound(as: ByteBuffer.self) { bytes.writeBuffer(&chunk) }
        var frames: [WireFrame] = []
        while let (high, low, type, flags, stream) = bytes.readMultipleIntegers(as: (UInt16, UInt8, UInt8, UInt8, UInt32).self) {
            let length = Int(high) << 8 | Int(low)
            frames.append(WireFrame(type: type, flags: flags, stream: stream & 0x7fff_ffff, payload: bytes.readBytes(length: length) ?? []))
        }
        return frames
    }

    func writeFrame(_ frame: HTTP2Frame) -> EventLoopFuture<Void> {
        let promise = self.channel.eventLoop.makePromise(of: Void.self)
        self.channel.writeAndFlush(frame, promise: promise)
        return promise.futureResult
    }
}

extension Array where Element == Int {
    /// The sizes again and again until they add up to at least `total`.
    fileprivate func cycled(until total: Int) -> [Int] {
        var sizes: [Int] = []
        while sizes.reduce(0, +) < total { sizes += self }
        return sizes
    }
}

/// Whether `future` has completed (an embedded loop runs its callbacks at once).
private func completed(_ future: EventLoopFuture<Void>) -> Bool {
    let done = NIOLockedValueBox(false)
    future.whenComplete { _ in done.withLockedValue { $0 = true } }
    return done.withLockedValue { $0 }
}

@Suite struct HTTP2ServerCodecTests {
    @Test func theServerOpensWithItsSettingsAndTheConnectionWindow() throws {
        let harness = try CodecHarness(preface: false)
        let frames = try harness.written()
        #expect(frames.count == 2)
        #expect(frames[0].type == 0x4 && frames[0].flags == 0)
        // Identifier and value pairs: max concurrent streams 2, initial window 1000, max header list 16384.
        #expect(frames[0].payload == [0, 3, 0, 0, 0, 2, 0, 4, 0, 0, 0x03, 0xe8, 0, 6, 0, 0, 0x40, 0])
        #expect(frames[1] == WireFrame(type: 0x8, flags: 0, stream: 0, payload: [0, 0x0f, 0, 0x01]))
    }

    @Test func aWrongPrefaceEndsTheConnection() throws {
        let harness = try CodecHarness(preface: false)
        _ = try harness.written()
        try harness.send(Array("GET / HTTP/1.1\r\n\r\n".utf8))
        #expect(try harness.written().last?.errorCode == 0x1)
        #expect(!harness.channel.isActive)
    }

    @Test func settingsAndPingsAreAcknowledged() throws {
        let harness = try CodecHarness()
        _ = try harness.written()
        try harness.send(WireFrame.bytes(type: 0x4, stream: 0, payload: [0, 4, 0, 0, 0x10, 0]))
        try harness.send(WireFrame.bytes(type: 0x6, stream: 0, payload: [1, 2, 3, 4, 5, 6, 7, 8]))
        let frames = try harness.written()
        #expect(frames == [
            WireFrame(type: 0x4, flags: 0x1, stream: 0, payload: []),
            WireFrame(type: 0x6, flags: 0x1, stream: 0, payload: [1, 2, 3, 4, 5, 6, 7, 8]),
        ])
        #expect(harness.recorder.all.count == 1, "the ping goes up for the keepalive policy")
    }

    /// Reads end anywhere: inside the preface, a frame header or a payload.
    @Test func framesCutAcrossReadsAreReassembled() throws {
        var settings = CodecHarness.settings
        settings.maxControlFramesPer30Seconds = 1_000
        let harness = try CodecHarness(settings: settings, preface: false)
        _ = try harness.written()
        var bytes = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8) + WireFrame.bytes(type: 0x4, stream: 0)
        for ping in 0..<100 { bytes += WireFrame.bytes(type: 0x6, stream: 0, payload: [0, 0, 0, 0, 0, 0, 0, UInt8(ping)]) }
        var start = 0
        for size in [1, 7, 23, 5, 64, 3, 17].cycled(until: bytes.count) {
            let end = min(start + size, bytes.count)
            try harness.send(Array(bytes[start..<end]))
            start = end
            if start == bytes.count { break }
        }
        let pings = try harness.written().filter { $0.type == 0x6 }
        #expect(pings.map { $0.payload.last } == (0..<100).map { UInt8($0) })
        #expect(pings.allSatisfy { $0.flags == 0x1 })
    }

    @Test func aRequestArrivesAsHeadersAndDataAndItsAnswerAsFrames() throws {
        var harness = try CodecHarness()
        // The header block split across HEADERS and CONTINUATION comes up as one.
        let block = try harness.headerBlock([(":method", "POST"), (":scheme", "http"), (":path", "/etcdserverpb.KV/Put"), ("content-type", "application/grpc")])
        try harness.send(
            WireFrame.bytes(type: 0x1, stream: 1, payload: Array(block.prefix(5)))
                + WireFrame.bytes(type: 0x9, flags: 0x4, stream: 1, payload: Array(block.dropFirst(5)))
                + WireFrame.bytes(type: 0x0, flags: 0x9, stream: 1, payload: [3, 9, 9, 9, 0, 0, 0])
        )
        let received = harness.recorder.all
        #expect(received.count == 2)
        guard case .headers(let headers) = received.first?.payload, case .data(let data) = received.last?.payload else {
            Issue.record("\(received)")
            return
        }
        #expect(headers.headers.first(name: ":path") == "/etcdserverpb.KV/Put" && !headers.endStream)
        #expect(data.endStream && data.paddingBytes == 3 && data.data.readableBytes == 3)
        _ = try harness.written()

        let answer: HPACKHeaders = [":status": "200", "content-type": "application/grpc"]
        _ = harness.writeFrame(HTTP2Frame(streamID: 1, payload: .headers(.init(headers: answer))))
        _ = harness.writeFrame(HTTP2Frame(streamID: 1, payload: .data(.init(data: .byteBuffer(ByteBuffer(bytes: [0, 0, 0, 0, 1, 7]))))))
        _ = harness.writeFrame(HTTP2Frame(streamID: 1, payload: .headers(.init(headers: ["grpc-status": "0"], endStream: true))))
        let frames = try harness.written()
        #expect(frames.map(\.type) == [0x1, 0x0, 0x1])
        #expect(frames.map(\.flags) == [0x4, 0x0, 0x5])
        #expect(frames[1].payload == [0, 0, 0, 0, 1, 7])
        var decoder = HPACKDecoder(allocator: ByteBufferAllocator())
        var first = ByteBuffer(bytes: frames[0].payload)
        #expect(try decoder.decodeHeaders(from: &first) == answer)

        // Both sides ended: the stream is closed, and new HEADERS on it end the connection.
        try harness.send(try harness.requestHeaders(1))
        #expect(try harness.written().last?.errorCode == 0x5)
        #expect(!harness.channel.isActive)
    }

    @Test func dataWaitsForTheClientsWindowsAndTheTrailersWaitBehindIt() throws {
        var harness = try CodecHarness()
        try harness.send(
            WireFrame.bytes(type: 0x4, stream: 0, payload: [0, 4, 0, 0, 0, 100])
                + (try harness.requestHeaders(1, endStream: true))
        )
        _ = try harness.written()
        let data = harness.writeFrame(HTTP2Frame(streamID: 1, payload: .data(.init(data: .byteBuffer(ByteBuffer(repeating: 7, count: 250))))))
        let trailers = harness.writeFrame(HTTP2Frame(streamID: 1, payload: .headers(.init(headers: ["grpc-status": "0"], endStream: true))))
        #expect(try harness.written().map(\.payload.count) == [100])
        #expect(!completed(data) && !completed(trailers))

        try harness.send(WireFrame.bytes(type: 0x8, stream: 1, payload: [0, 0, 0, 120]))
        #expect(try harness.written().map(\.payload.count) == [120])
        try harness.send(WireFrame.bytes(type: 0x8, stream: 1, payload: [0, 0, 1, 0]))
        let rest = try harness.written()
        #expect(rest.map(\.type) == [0x0, 0x1] && rest[0].payload.count == 30 && rest[1].flags & 0x1 == 0x1)
        #expect(completed(data) && completed(trailers))
    }

    /// RFC 9113, 6.9.2: a smaller initial window can leave a stream's window below zero; data waits until
    /// updates bring it above.
    @Test func aSmallerInitialWindowCanTakeAStreamBelowZero() throws {
        var harness = try CodecHarness()
        try harness.send(
            WireFrame.bytes(type: 0x4, stream: 0, payload: [0, 4, 0, 0, 0, 100])
                + (try harness.requestHeaders(1, endStream: true))
        )
        _ = try harness.written()
        _ = harness.writeFrame(HTTP2Frame(streamID: 1, payload: .data(.init(data: .byteBuffer(ByteBuffer(repeating: 7, count: 200))))))
        #expect(try harness.written().map(\.payload.count) == [100])
        try harness.send(WireFrame.bytes(type: 0x4, stream: 0, payload: [0, 4, 0, 0, 0, 50]))
        try harness.send(WireFrame.bytes(type: 0x8, stream: 1, payload: [0, 0, 0, 40]))
        #expect(try harness.written().map(\.type) == [0x4], "only the SETTINGS acknowledgement: the window is -10")
        try harness.send(WireFrame.bytes(type: 0x8, stream: 1, payload: [0, 0, 0, 30]))
        #expect(try harness.written().map(\.payload.count) == [20])
    }

    @Test func dataIsCutToThePeersFrameSize() throws {
        var harness = try CodecHarness()
        try harness.send(
            WireFrame.bytes(type: 0x8, stream: 0, payload: [0, 1, 0, 0])
                + WireFrame.bytes(type: 0x4, stream: 0, payload: [0, 4, 0, 1, 0, 0])
                + (try harness.requestHeaders(1, endStream: true))
        )
        _ = try harness.written()
        _ = harness.writeFrame(HTTP2Frame(streamID: 1, payload: .data(.init(data: .byteBuffer(ByteBuffer(repeating: 1, count: 40_000)), endStream: true))))
        let frames = try harness.written()
        #expect(frames.map(\.payload.count) == [16_384, 16_384, 7_232])
        #expect(frames.map(\.flags) == [0, 0, 0x1])
    }

    @Test func aClientsResetFailsWhatTheStreamStillHadToSend() throws {
        var harness = try CodecHarness()
        try harness.send(WireFrame.bytes(type: 0x4, stream: 0, payload: [0, 4, 0, 0, 0, 0]) + (try harness.requestHeaders(1)))
        let data = harness.writeFrame(HTTP2Frame(streamID: 1, payload: .data(.init(data: .byteBuffer(ByteBuffer(bytes: [1, 2]))))))
        try harness.send(WireFrame.bytes(type: 0x3, stream: 1, payload: [0, 0, 0, 8]))
        #expect(throws: HTTP2ServerCodec.StreamClosed.self) { try data.wait() }
        guard case .rstStream(let code) = harness.recorder.all.last?.payload else {
            Issue.record("\(harness.recorder.all)")
            return
        }
        #expect(code == .cancel)
        // The handler's own reset of the stream, crossing the client's, sends nothing more.
        _ = try harness.written()
        try harness.writeFrame(HTTP2Frame(streamID: 1, payload: .rstStream(.noError))).wait()
        #expect(try harness.written().isEmpty)
    }

    @Test func streamsPastTheLimitAreRefused() throws {
        var harness = try CodecHarness()
        try harness.send(try harness.requestHeaders(1) + (try harness.requestHeaders(3)) + (try harness.requestHeaders(5)))
        #expect(harness.recorder.all.count == 2)
        let frames = try harness.written()
        #expect(frames.last == WireFrame(type: 0x3, flags: 0, stream: 5, payload: [0, 0, 0, 7]))
        // Once a stream has closed, another may open.
        try harness.send(WireFrame.bytes(type: 0x3, stream: 1, payload: [0, 0, 0, 8]) + (try harness.requestHeaders(7)))
        #expect(harness.recorder.all.count == 4)
    }

    @Test func dataBeyondTheStreamsWindowResetsTheStream() throws {
        var harness = try CodecHarness()
        try harness.send(try harness.requestHeaders(1))
        _ = try harness.written()
        try harness.send(WireFrame.bytes(type: 0x0, stream: 1, payload: [UInt8](repeating: 0, count: 1_001)))
        #expect(try harness.written() == [WireFrame(type: 0x3, flags: 0, stream: 1, payload: [0, 0, 0, 3])])
        guard case .rstStream(.flowControlError) = harness.recorder.all.last?.payload else {
            Issue.record("\(harness.recorder.all)")
            return
        }
        #expect(harness.channel.isActive)
    }

    /// A client that ended its side of a stream sends nothing more on it: DATA or HEADERS after that reset it.
    @Test func framesAfterTheClientEndedTheStreamResetIt() throws {
        var harness = try CodecHarness()
        try harness.send(try harness.requestHeaders(1, endStream: true) + WireFrame.bytes(type: 0x0, stream: 1, payload: [0]))
        try harness.send(try harness.requestHeaders(3, endStream: true) + (try harness.requestHeaders(3, endStream: true)))
        let resets = try harness.written().filter { $0.type == 0x3 }
        #expect(resets == [
            WireFrame(type: 0x3, flags: 0, stream: 1, payload: [0, 0, 0, 5]),
            WireFrame(type: 0x3, flags: 0, stream: 3, payload: [0, 0, 0, 5]),
        ])
        #expect(harness.recorder.all.map(\.streamID) == [1, 1, 3, 3], "each stream's request, then its reset")
        #expect(harness.channel.isActive)
    }

    @Test func theHandlersWindowUpdatesReopenTheStreamsWindow() throws {
        var harness = try CodecHarness()
        try harness.send(try harness.requestHeaders(1))
        try harness.send(WireFrame.bytes(type: 0x0, stream: 1, payload: [UInt8](repeating: 0, count: 1_000)))
        _ = harness.writeFrame(HTTP2Frame(streamID: 1, payload: .windowUpdate(windowSizeIncrement: 500)))
        _ = try harness.written()
        try harness.send(WireFrame.bytes(type: 0x0, stream: 1, payload: [UInt8](repeating: 0, count: 500)))
        #expect(try harness.written().isEmpty)
        #expect(harness.recorder.all.count == 3)
    }

    @Test func anUppercaseHeaderNameIsAMalformedRequest() throws {
        var harness = try CodecHarness()
        // NIOHPACK's encoder lowercases names, so the uppercase one is a literal written by hand: not
        // indexed, a new name of 12 bytes, a value of 16 (no Huffman coding).
        let literal = [0x00, 12] + Array("Content-Type".utf8) + [16] + Array("application/grpc".utf8)
        let block = try harness.headerBlock([(":method", "POST"), (":scheme", "http"), (":path", "/x")]) + literal
        try harness.send(WireFrame.bytes(type: 0x1, flags: 0x4, stream: 1, payload: block))
        #expect(harness.recorder.all.isEmpty)
        #expect(try harness.written().last == WireFrame(type: 0x3, flags: 0, stream: 1, payload: [0, 0, 0, 1]))
    }

    static let malformedRequests: [[(String, String)]] = [
        [(":method", "POST"), ("content-type", "application/grpc"), (":scheme", "http"), (":path", "/x")],
        [(":method", "POST"), (":scheme", "http"), (":path", "/x"), (":path", "/y")],
        [(":method", "POST"), (":scheme", "http"), (":path", "/x"), (":protocol", "websocket")],
        [(":method", "POST"), (":scheme", "http")],
        [(":method", "POST"), (":scheme", "http"), (":path", "")],
        [(":method", "POST"), (":scheme", "http"), (":path", "/x"), ("connection", "keep-alive")],
        [(":method", "POST"), (":scheme", "http"), (":path", "/x"), ("te", "gzip")],
    ]

    /// Pseudo-headers after a field, twice, unknown or missing, and connection-specific fields.
    @Test(arguments: Self.malformedRequests)
    func aMalformedRequestIsReset(headers: [(String, String)]) throws {
        var harness = try CodecHarness()
        try harness.send(WireFrame.bytes(type: 0x1, flags: 0x4, stream: 1, payload: try harness.headerBlock(headers)))
        #expect(harness.recorder.all.isEmpty)
        #expect(try harness.written().last == WireFrame(type: 0x3, flags: 0, stream: 1, payload: [0, 0, 0, 1]))
        #expect(harness.channel.isActive)
    }

    @Test func trailersWithAPseudoHeaderResetTheStream() throws {
        var harness = try CodecHarness()
        try harness.send(try harness.requestHeaders(1, extra: [("te", "trailers")]))
        let trailers = try harness.headerBlock([(":status", "200")])
        try harness.send(WireFrame.bytes(type: 0x1, flags: 0x5, stream: 1, payload: trailers))
        #expect(try harness.written().last == WireFrame(type: 0x3, flags: 0, stream: 1, payload: [0, 0, 0, 1]))
        guard case .rstStream(.protocolError) = harness.recorder.all.last?.payload else {
            Issue.record("\(harness.recorder.all)")
            return
        }
    }

    static let violations: [([UInt8], UInt32)] = [
        // DATA on a stream never opened: PROTOCOL_ERROR.
        (WireFrame.bytes(type: 0x0, stream: 9, payload: [0]), UInt32(0x1)),
        // A frame larger than 16 KiB: FRAME_SIZE_ERROR.
        (WireFrame.bytes(type: 0x0, stream: 1, payload: [UInt8](repeating: 0, count: 16_385)), 0x6),
        // A PING of 7 bytes: FRAME_SIZE_ERROR.
        (WireFrame.bytes(type: 0x6, stream: 0, payload: [0, 0, 0, 0, 0, 0, 0]), 0x6),
        // SETTINGS on a stream: PROTOCOL_ERROR.
        (WireFrame.bytes(type: 0x4, stream: 1), 0x1),
        // SETTINGS_MAX_FRAME_SIZE below 16 KiB: PROTOCOL_ERROR.
        (WireFrame.bytes(type: 0x4, stream: 0, payload: [0, 5, 0, 0, 0x10, 0]), 0x1),
        // SETTINGS_INITIAL_WINDOW_SIZE beyond 2^31-1: FLOW_CONTROL_ERROR.
        (WireFrame.bytes(type: 0x4, stream: 0, payload: [0, 4, 0x80, 0, 0, 0]), 0x3),
        // A WINDOW_UPDATE of 0 on the connection: PROTOCOL_ERROR.
        (WireFrame.bytes(type: 0x8, stream: 0, payload: [0, 0, 0, 0]), 0x1),
        // A connection window past 2^31-1: FLOW_CONTROL_ERROR.
        (WireFrame.bytes(type: 0x8, stream: 0, payload: [0x7f, 0xff, 0xff, 0xff]), 0x3),
        // PUSH_PROMISE from a client: PROTOCOL_ERROR.
        (WireFrame.bytes(type: 0x5, flags: 0x4, stream: 1, payload: [0, 0, 0, 2]), 0x1),
        // CONTINUATION without HEADERS: PROTOCOL_ERROR.
        (WireFrame.bytes(type: 0x9, flags: 0x4, stream: 1), 0x1),
        // A stream opened by the client with an even number: PROTOCOL_ERROR.
        (WireFrame.bytes(type: 0x1, flags: 0x4, stream: 2, payload: [0x82]), 0x1),
        // A header block HPACK cannot decode (index 70 is in no table): COMPRESSION_ERROR.
        (WireFrame.bytes(type: 0x1, flags: 0x4, stream: 1, payload: [0xc6]), 0x9),
        // Padding longer than the frame: PROTOCOL_ERROR.
        (WireFrame.bytes(type: 0x0, flags: 0x8, stream: 1, payload: [5, 0]), 0x1),
        // A header block that goes on in empty CONTINUATION frames (it never grows towards the byte bound):
        // ENHANCE_YOUR_CALM once it takes more than 16.
        (WireFrame.bytes(type: 0x1, stream: 1, payload: [0x82])
            + (0..<17).flatMap { _ in WireFrame.bytes(type: 0x9, stream: 1) }, 0xb),
    ]

    @Test(arguments: Self.violations)
    func aViolationEndsTheConnectionWithGoAway(bytes: [UInt8], code: UInt32) throws {
        let harness = try CodecHarness()
        _ = try harness.written()
        try harness.send(bytes)
        let frames = try harness.written()
        #expect(frames.count == 1 && frames[0].type == 0x7, "\(frames)")
        #expect(frames.first?.errorCode == code)
        #expect(!harness.channel.isActive)
        #expect(harness.recorder.all.isEmpty)
    }

    @Test func aFloodOfControlFramesOrResetsIsCutOff() throws {
        let pings = try CodecHarness()
        for _ in 0..<21 { try pings.send(WireFrame.bytes(type: 0x6, stream: 0, payload: [UInt8](repeating: 0, count: 8))) }
        #expect(try pings.written().last?.errorCode == 0xb)
        #expect(!pings.channel.isActive)

        var resets = try CodecHarness()
        for stream in stride(from: UInt32(1), through: 7, by: 2) {
            try resets.send(try resets.requestHeaders(stream) + WireFrame.bytes(type: 0x3, stream: stream, payload: [0, 0, 0, 8]))
        }
        #expect(try resets.written().last?.errorCode == 0xb)
        #expect(!resets.channel.isActive)

        // Empty DATA frames that do not end their stream: five pass, the sixth ends the connection. An empty
        // frame that ends its stream is a request's normal end and does not count.
        var empties = try CodecHarness()
        try empties.send(try empties.requestHeaders(1) + WireFrame.bytes(type: 0x0, flags: 0x1, stream: 1))
        try empties.send(try empties.requestHeaders(3))
        for _ in 0..<5 { try empties.send(WireFrame.bytes(type: 0x0, stream: 3)) }
        #expect(empties.channel.isActive)
        #expect(try empties.written().allSatisfy { $0.type != 0x7 })
        try empties.send(WireFrame.bytes(type: 0x0, stream: 3))
        #expect(try empties.written().last?.errorCode == 0xb)
        #expect(!empties.channel.isActive)
    }

    @Test func aClientsHeaderTableSizeLimitsTheEncoder() throws {
        var harness = try CodecHarness()
        try harness.send(WireFrame.bytes(type: 0x4, stream: 0, payload: [0, 1, 0, 0, 0, 0]) + (try harness.requestHeaders(1, endStream: true)))
        _ = try harness.written()
        let answer: HPACKHeaders = [":status": "200", "content-type": "application/grpc", "grpc-status": "0"]
        _ = harness.writeFrame(HTTP2Frame(streamID: 1, payload: .headers(.init(headers: answer, endStream: true))))
        let frames = try harness.written()
        var decoder = HPACKDecoder(allocator: ByteBufferAllocator(), maxDynamicTableSize: 0)
        var block = ByteBuffer(bytes: frames[0].payload)
        // The block starts with a table size update to 0 and adds nothing to the table.
        #expect(frames[0].payload.first == 0x20)
        #expect(try decoder.decodeHeaders(from: &block) == answer)
    }
}
