import ClientAPI
import EtcdProto
import GRPCCore
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

/// Streamed gateway calls: requests read from a body of JSON objects, responses as `{"result":…}` lines,
/// errors as etcd's gateway ends a stream with them, and the call cancelled when the client goes away.
@Suite struct GatewayStreamTests {
    private static let method = MethodDescriptor(
        service: ServiceDescriptor(fullyQualifiedService: "test.Gateway"),
        method: "Stream",
        type: .bidirectionalStreaming
    )

    /// Set once, by a call that has ended.
    private final class Flag: Sendable {
        private let value = Mutex(false)
        func set() { self.value.withLock { $0 = true } }
        var isSet: Bool { self.value.withLock { $0 } }
    }

    /// Answers each keep-alive with TTL 60; lease 404 is unknown and fails the call.
    private static func keepAlive(afterBody: GatewayRoute.AfterBody, ended: Flag = Flag()) -> GatewayRoute {
        .bidirectional(Self.method, afterBody: afterBody) {
            (requests: RPCAsyncSequence<Etcdserverpb_LeaseKeepAliveRequest, any Error>, writer, _) in
            defer { ended.set() }
            for try await request in requests {
                if request.id == 404 { throw EtcdError.leaseNotFound }
                var response = Etcdserverpb_LeaseKeepAliveResponse()
                response.id = request.id
                response.ttl = 60
                try await writer.write(response)
            }
        }
    }

    private func respond(_ route: GatewayRoute, _ body: String) async -> HTTPResponse {
        let gateway = JSONGateway(routes: ["/v3/stream": route])
        return await gateway.respond(to: HTTPRequest(method: .POST, uri: "/v3/stream", body: ByteBuffer(string: body)))
    }

    /// Runs a streamed body to its end and returns what it wrote.
    private func collect(_ response: HTTPResponse) async throws -> String {
        let stream = try #require(response.bodyStream)
        let written = Mutex("")
        try await stream.produce(HTTPBodyWriter { bytes in written.withLock { $0 += String(buffer: bytes) } })
        return written.withLock { $0 }
    }

    private static func line(id: Int) -> String {
        #"{"result":{"ID":"\#(id)","TTL":"60"}}"# + "\n"
    }

    @Test func eachObjectOfTheBodyIsARequestAndEachResponseALine() async throws {
        let response = await self.respond(Self.keepAlive(afterBody: .ends), #"{"ID":"1"} {"ID":2}"#)
        #expect(response.status == .ok)
        #expect(response.headers["Content-Type"] == ["application/json"])
        #expect(try await self.collect(response) == Self.line(id: 1) + Self.line(id: 2))
    }

    @Test func anUnreadableLaterObjectEndsTheRequestsQuietly() async throws {
        let response = await self.respond(Self.keepAlive(afterBody: .ends), #"{"ID":"1"} {"ID":"#)
        #expect(try await self.collect(response) == Self.line(id: 1))
    }

    @Test func anUnreadableFirstObjectIsRefusedWith400() async {
        let response = await self.respond(Self.keepAlive(afterBody: .ends), #"{"ID":"#)
        #expect(response.status == .badRequest)
        #expect(response.bodyStream == nil)
        #expect(String(buffer: response.body) == #"{"error":"unexpected EOF","message":"unexpected EOF","code":3}"#)
    }

    @Test func anEmptyBodyEndsAtOnceWithNothing() async {
        let response = await self.respond(Self.keepAlive(afterBody: .ends), "")
        #expect(response.status == .ok)
        #expect(response.bodyStream == nil)
        #expect(response.body.readableBytes == 0)
    }

    @Test func aFailureAfterTheFirstMessageEndsTheStreamWithAnErrorObject() async throws {
        let response = await self.respond(Self.keepAlive(afterBody: .ends), #"{"ID":"1"}{"ID":"404"}{"ID":"2"}"#)
        let error = #"{"error":{"grpc_code":5,"http_code":404,"message":"etcdserver: requested lease not found","http_status":"Not Found"}}"#
        #expect(try await self.collect(response) == Self.line(id: 1) + error)
    }

    @Test func aFailureBeforeAnyMessageTakesItsHTTPStatus() async {
        let response = await self.respond(Self.keepAlive(afterBody: .ends), #"{"ID":"404"}"#)
        #expect(response.status == .notFound)
        #expect(response.bodyStream == nil)
        #expect(
            String(buffer: response.body)
                == #"{"error":{"grpc_code":5,"http_code":404,"message":"etcdserver: requested lease not found","http_status":"Not Found"}}"#
        )
    }

    @Test func aStreamThatStaysOpenEndsWhenTheClientGoesAway() async throws {
        let ended = Flag()
        let response = await self.respond(Self.keepAlive(afterBody: .staysOpen, ended: ended), #"{"ID":"1"}{"ID":"2"}"#)
        let stream = try #require(response.bodyStream)
        let (lines, linesWritten) = AsyncStream.makeStream(of: String.self)
        let producer = Task {
            try await stream.produce(HTTPBodyWriter { bytes in linesWritten.yield(String(buffer: bytes)) })
        }
        var received: [String] = []
        for await line in lines {
            received.append(line)
            if received.count == 2 { break }
        }
        #expect(received == [Self.line(id: 1), Self.line(id: 2)])
        #expect(!ended.isSet, "the requests have not ended with the body")
        producer.cancel()
        try await producer.value
        // The call is cancelled with the producer; it ends soon after.
        while !ended.isSet { await Task.yield() }
    }

    @Test func aClientThatCannotBeWrittenToCancelsTheCall() async throws {
        let ended = Flag()
        let endless = GatewayRoute.serverStreaming(Self.method) {
            (_: Etcdserverpb_SnapshotRequest, writer: RPCWriter<Etcdserverpb_SnapshotResponse>, _) in
            defer { ended.set() }
            var piece = Etcdserverpb_SnapshotResponse()
            piece.blob = .init([1, 2, 3])
            while true { try await writer.write(piece) }
        }
        let response = await self.respond(endless, "{}")
        let stream = try #require(response.bodyStream)
        struct Gone: Error {}
        try await stream.produce(HTTPBodyWriter { _ in throw Gone() })
        while !ended.isSet { await Task.yield() }
    }

    @Test func anUnimplementedStreamAnswersWithTheErrorObject() async {
        let route = GatewayRoute.serverStreaming(Self.method) {
            (_: Etcdserverpb_SnapshotRequest, _: RPCWriter<Etcdserverpb_SnapshotResponse>, _) in
            throw EtcdError(.unimplemented, "etcdserver: streaming a snapshot is not supported by this member")
        }
        let response = await self.respond(route, "{}")
        #expect(response.status == .notImplemented)
        let message = "etcdserver: streaming a snapshot is not supported by this member"
        #expect(
            String(buffer: response.body)
                == #"{"error":{"grpc_code":12,"http_code":501,"message":"\#(message)","http_status":"Not Implemented"}}"#
        )
    }
}
