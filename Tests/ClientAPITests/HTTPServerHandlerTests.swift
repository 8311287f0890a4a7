import ClientAPI
import NIOCore
import NIOEmbedded
import NIOHTTP1
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
}
