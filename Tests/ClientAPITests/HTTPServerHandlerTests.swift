import ClientAPI
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Synchronization
import Testing

@Suite struct HTTPServerHandlerTests {
    private struct Echo: HTTPResponder {
        func respond(to request: HTTPRequest) async -> HTTPResponse {
            HTTPResponse(
                status: .ok,
                contentType: "text/plain",
                body: "\(request.method.rawValue) \(request.path) \(request.body.readableBytes)"
            )
        }
    }

    private func makeChannel(maxBodyBytes: Int = 64) async throws -> NIOAsyncTestingChannel {
        let channel = NIOAsyncTestingChannel()
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
            try channel.pipeline.syncOperations.addHandler(HTTPServerHandler(responder: Echo(), maxBodyBytes: maxBodyBytes))
        }.get()
        try await channel.connect(to: .init(ipAddress: "127.0.0.1", port: 1))
        return channel
    }

    private func readResponse(_ channel: NIOAsyncTestingChannel) async throws -> String {
        var text = ""
        while !text.contains("\r\n\r\n") || !Self.bodyComplete(text) {
            let chunk = try await channel.waitForOutboundWrite(as: ByteBuffer.self)
            text += String(buffer: chunk)
        }
        return text
    }

    private static func bodyComplete(_ text: String) -> Bool {
        guard let headerEnd = text.firstRange(of: "\r\n\r\n"),
            let lengthLine = text.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-length:") }),
            let length = Int(lengthLine.split(separator: ":")[1].trimmingPrefix(" "))
        else { return false }
        return text[headerEnd.upperBound...].utf8.count >= length
    }

    @Test func answersAndKeepsTheConnectionOpen() async throws {
        let channel = try await makeChannel()
        try await channel.writeInbound(ByteBuffer(string: "POST /v3/kv/put HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"))
        let first = try await readResponse(channel)
        #expect(first.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(first.contains("Content-Length: 17\r\n"))
        #expect(first.hasSuffix("POST /v3/kv/put 5"))
        #expect(!first.contains("Connection: close"))

        try await channel.writeInbound(ByteBuffer(string: "GET /version HTTP/1.1\r\nHost: x\r\n\r\n"))
        let second = try await readResponse(channel)
        #expect(second.hasSuffix("GET /version 0"))
        #expect(channel.isActive)
        _ = try await channel.finish(acceptAlreadyClosed: true)
    }

    @Test func closesAfterAnsweringWhenTheClientAsks() async throws {
        let channel = try await makeChannel()
        try await channel.writeInbound(ByteBuffer(string: "GET /version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
        let response = try await readResponse(channel)
        #expect(response.contains("Connection: close\r\n"))
        try await channel.closeFuture.get()
    }

    @Test func anOversizeBodyGets413AndCloses() async throws {
        let channel = try await makeChannel(maxBodyBytes: 4)
        try await channel.writeInbound(ByteBuffer(string: "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789"))
        let response = try await readResponse(channel)
        #expect(response.hasPrefix("HTTP/1.1 413 Payload Too Large\r\n"))
        try await channel.closeFuture.get()
    }

    @Test func garbageGets400AndCloses() async throws {
        let channel = try await makeChannel()
        do {
            try await channel.writeInbound(ByteBuffer(bytes: [0x16, 0x03, 0x01, 0x02, 0x00, 0xff, 0x0d, 0x0a]))
        } catch {
            // The decoder reports the parse error after answering; the answer is what matters here.
        }
        let response = try await channel.waitForOutboundWrite(as: ByteBuffer.self)
        #expect(String(buffer: response).hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        try await channel.closeFuture.get()
    }
    /// Streams "ab", "c", then ends; for any other path, waits until cancelled and says so.
    private struct Streamer: HTTPResponder {
        let cancelled: AsyncStream<Void>.Continuation

        func respond(to request: HTTPRequest) async -> HTTPResponse {
            if request.path == "/short" {
                return HTTPResponse(status: .ok, stream: HTTPBodyStream { writer in
                    try await writer.write(ByteBuffer(string: "ab"))
                    try await writer.write(ByteBuffer(string: "c"))
                })
            }
            let cancelled = self.cancelled
            return HTTPResponse(status: .ok, stream: HTTPBodyStream { writer in
                try await writer.write(ByteBuffer(string: "first"))
                defer { cancelled.finish() }
                try await Task.sleep(for: .seconds(3_600))
            })
        }
    }

    private func makeStreamingChannel(cancelled: AsyncStream<Void>.Continuation) async throws -> NIOAsyncTestingChannel {
        let channel = NIOAsyncTestingChannel()
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
            let handler = HTTPServerHandler(responder: Streamer(cancelled: cancelled), maxBodyBytes: 64)
            try channel.pipeline.syncOperations.addHandler(handler)
        }.get()
        try await channel.connect(to: .init(ipAddress: "127.0.0.1", port: 1))
        return channel
    }

    private func readUntil(_ ending: String, _ channel: NIOAsyncTestingChannel) async throws -> String {
        var text = ""
        while !text.hasSuffix(ending) {
            text += String(buffer: try await channel.waitForOutboundWrite(as: ByteBuffer.self))
        }
        return text
    }

    @Test func aStreamedBodyIsSentChunkedAndTheConnectionStaysUsable() async throws {
        let (_, cancelled) = AsyncStream.makeStream(of: Void.self)
        let channel = try await makeStreamingChannel(cancelled: cancelled)
        try await channel.writeInbound(ByteBuffer(string: "POST /short HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"))
        let response = try await readUntil("0\r\n\r\n", channel)
        #expect(response.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(response.lowercased().contains("transfer-encoding: chunked\r\n"))
        #expect(!response.lowercased().contains("content-length"))
        #expect(response.hasSuffix("\r\n\r\n2\r\nab\r\n1\r\nc\r\n0\r\n\r\n"))

        try await channel.writeInbound(ByteBuffer(string: "POST /short HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"))
        let second = try await readUntil("0\r\n\r\n", channel)
        #expect(second.hasPrefix("HTTP/1.1 200 OK\r\n"))
        _ = try await channel.finish(acceptAlreadyClosed: true)
    }

    @Test func closingTheConnectionCancelsTheStreamsProducer() async throws {
        let (cancellations, cancelled) = AsyncStream.makeStream(of: Void.self)
        let channel = try await makeStreamingChannel(cancelled: cancelled)
        try await channel.writeInbound(ByteBuffer(string: "POST /endless HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"))
        let response = try await readUntil("5\r\nfirst\r\n", channel)
        #expect(response.hasPrefix("HTTP/1.1 200 OK\r\n"))
        try await channel.close()
        for await _ in cancellations {}
    }
}
