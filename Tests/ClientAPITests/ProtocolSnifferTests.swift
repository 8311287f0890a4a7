import ClientAPI
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import Testing

/// Records what reaches the end of a pipeline behind the sniffer.
private final class Recorder: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let events = NIOLockedValueBox<[String]>([])

    func channelActive(context: ChannelHandlerContext) {
        self.events.withLockedValue { $0.append("active") }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = Self.unwrapInboundIn(data)
        self.events.withLockedValue { $0.append("read:" + String(buffer: bytes)) }
    }
}

@Suite struct ProtocolSnifferTests {
    /// A sniffer whose routes install `recorder` and note which route was taken.
    private func makeChannel(recorder: Recorder, taken: NIOLockedValueBox<[String]>) throws -> EmbeddedChannel {
        let router = ConnectionRouter(
            http2: { channel in
                taken.withLockedValue { $0.append("http2") }
                try channel.pipeline.syncOperations.addHandler(recorder)
            },
            http1: { channel in
                taken.withLockedValue { $0.append("http1") }
                try channel.pipeline.syncOperations.addHandler(recorder)
            }
        )
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(ProtocolSniffer(router: router, detectionTimeout: .seconds(5)))
        return channel
    }

    @Test func http1IsRoutedAfterItsFirstBytesAndSeesEverything() throws {
        let recorder = Recorder()
        let taken = NIOLockedValueBox<[String]>([])
        let channel = try makeChannel(recorder: recorder, taken: taken)
        try channel.connect(to: .init(ipAddress: "127.0.0.1", port: 1)).wait()
        #expect(recorder.events.withLockedValue { $0 }.isEmpty, "channelActive is held back until routing")

        try channel.writeInbound(ByteBuffer(string: "GET /version HTTP/1.1\r\n"))
        try channel.writeInbound(ByteBuffer(string: "Host: x\r\n\r\n"))

        #expect(taken.withLockedValue { $0 } == ["http1"])
        #expect(
            recorder.events.withLockedValue { $0 }
                == ["active", "read:GET /version HTTP/1.1\r\n", "read:Host: x\r\n\r\n"]
        )
        #expect(throws: Never.self) { try channel.pipeline.syncOperations.handler(type: Recorder.self) }
        #expect(throws: (any Error).self) { try channel.pipeline.syncOperations.handler(type: ProtocolSniffer.self) }
    }

    @Test func http2WaitsForTheWholePrefaceEvenWhenItArrivesInPieces() throws {
        let recorder = Recorder()
        let taken = NIOLockedValueBox<[String]>([])
        let channel = try makeChannel(recorder: recorder, taken: taken)
        try channel.connect(to: .init(ipAddress: "127.0.0.1", port: 1)).wait()
        let preface = ProtocolDetector.http2Preface
        for byte in preface.dropLast() {
            try channel.writeInbound(ByteBuffer(bytes: [byte]))
            #expect(taken.withLockedValue { $0 }.isEmpty)
        }
        try channel.writeInbound(ByteBuffer(bytes: [preface.last!] + Array("SETTINGS".utf8)))

        #expect(taken.withLockedValue { $0 } == ["http2"])
        let expected = "read:" + String(decoding: preface, as: UTF8.self) + "SETTINGS"
        #expect(recorder.events.withLockedValue { $0 } == ["active", expected], "the buffered bytes are replayed at once")
    }

    @Test func aSilentConnectionIsClosedAfterTheDetectionTimeout() throws {
        let recorder = Recorder()
        let taken = NIOLockedValueBox<[String]>([])
        let channel = try makeChannel(recorder: recorder, taken: taken)
        try channel.connect(to: .init(ipAddress: "127.0.0.1", port: 1)).wait()
        try channel.writeInbound(ByteBuffer(string: "PRI * HT"))

        channel.embeddedEventLoop.advanceTime(by: .seconds(4))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
        #expect(taken.withLockedValue { $0 }.isEmpty)
    }

    @Test func aFailingRouteClosesOnlyThatConnection() throws {
        struct InstallFailed: Error {}
        let router = ConnectionRouter(http2: { _ in throw InstallFailed() }, http1: { _ in throw InstallFailed() })
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(ProtocolSniffer(router: router))
        try channel.connect(to: .init(ipAddress: "127.0.0.1", port: 1)).wait()
        try channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\n"))
        #expect(!channel.isActive)
    }
}
