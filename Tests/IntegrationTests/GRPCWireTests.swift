import EtcdProto
import Foundation
import NIOCore
import NIOHTTP2
import ProcessTestSupport
import Testing

/// gRPC on the wire of a real member, frame by frame: the refusals grpc-go gives (unknown method, wrong
/// content type, oversized or compressed messages), flow control for requests and responses larger than
/// the windows, deadlines, keepalive enforcement and the GOAWAY and drain timeout of a graceful shutdown.
@Suite(.serialized) struct GRPCWireTests {
    private static func startMember(_ arguments: [String] = []) async throws -> MemberProcess {
        let member = try MemberProcess(arguments: arguments)
        try await member.waitUntilServing()
        return member
    }

    private static func put(_ key: String, _ value: [UInt8]) throws -> [UInt8] {
        var request = Etcdserverpb_PutRequest()
        request.key = Data(key.utf8)
        request.value = Data(value)
        return try request.serializedBytes()
    }

    @Test func unknownMethodsAndOtherContentAreRefused() async throws {
        let member = try await Self.startMember()
        let connection = try await RawHTTP2.connect(port: member.clientPort)
        try await connection.startCall(1, path: "/etcdserverpb.Auth/Bogus")
        try await connection.sendData(1, RawHTTP2.grpcMessage([]), endStream: true)
        let unknown = GRPCAnswer(try await connection.frames(of: 1))
        #expect(unknown.headers.count == 1, "a trailers-only answer")
        #expect(unknown.header(":status") == "200")
        #expect(unknown.trailer("grpc-status") == "12")
        #expect(unknown.trailer("grpc-message") == "Requested RPC isn't implemented by this server.")

        try await connection.startCall(3, path: "/etcdserverpb.KV/Range", extra: [("content-type", "text/plain")], endStream: true)
        let wrongType = GRPCAnswer(try await connection.frames(of: 3))
        #expect(wrongType.header(":status") == "415")

        try await connection.startCall(5, path: "/etcdserverpb.KV/Put")
        try await connection.sendData(5, RawHTTP2.grpcMessage(try Self.put("k", Array("v".utf8))), endStream: true)
        let put = GRPCAnswer(try await connection.frames(of: 5))
        #expect(put.header(":status") == "200" && put.header("content-type") == "application/grpc")
        #expect(put.trailer("grpc-status") == "0")
        let response = try Etcdserverpb_PutResponse(serializedBytes: Array(put.data.dropFirst(5)))
        #expect(response.header.revision == 2, "the connection still serves after the refusals")
        await connection.close()
    }

    @Test func oversizedAndCompressedMessagesAreRefusedAsGrpcGoRefusesThem() async throws {
        let member = try await Self.startMember(["--max-request-bytes", "1024"])
        let connection = try await RawHTTP2.connect(port: member.clientPort)
        let limit = 1024 + 512 * 1024
        try await connection.startCall(1, path: "/etcdserverpb.KV/Put")
        try await connection.sendData(1, [0, 0, 0x09, 0x27, 0xC0], endStream: false)
        let large = GRPCAnswer(try await connection.frames(of: 1))
        #expect(large.trailer("grpc-status") == "8")
        #expect(large.trailer("grpc-message") == "grpc: received message larger than max (600000 vs. \(limit))")
        // The reset follows the trailers, in a frame the reader may not have parsed yet when they arrive.
        let reset = try await connection.frame(on: 1) { if case .rstStream = $0 { true } else { false } }
        #expect(GRPCAnswer([reset]).reset == .noError, "the client had not finished sending")

        try await connection.startCall(3, path: "/etcdserverpb.KV/Put", extra: [("grpc-encoding", "gzip")])
        try await connection.sendData(3, RawHTTP2.grpcMessage([1, 2, 3], compressed: true), endStream: true)
        let compressed = GRPCAnswer(try await connection.frames(of: 3))
        #expect(compressed.trailer("grpc-status") == "12")
        #expect(compressed.trailer("grpc-message") == #"grpc: Decompressor is not installed for grpc-encoding "gzip""#)

        var range = Etcdserverpb_RangeRequest()
        range.key = Data("k".utf8)
        try await connection.startCall(5, path: "/etcdserverpb.KV/Range")
        try await connection.sendData(5, RawHTTP2.grpcMessage(try range.serializedBytes()), endStream: true)
        let answer = GRPCAnswer(try await connection.frames(of: 5))
        let response = try Etcdserverpb_RangeResponse(serializedBytes: Array(answer.data.dropFirst(5)))
        #expect(response.count == 0 && response.header.revision == 1, "nothing was written")

        // Data the client sent on the refused stream before it saw the reset still counts against the
        // connection's window; the server must give that credit back, or the connection stalls.
        try await connection.startCall(7, path: "/etcdserverpb.KV/Put")
        let upload = [[0, 0, 0x09, 0x27, 0xC0]] + Array(repeating: [UInt8](repeating: 7, count: 16_000), count: 65)
        await connection.sendTogether(upload.map { bytes in
            HTTP2Frame(streamID: 7, payload: .data(.init(data: .byteBuffer(ByteBuffer(bytes: bytes)))))
        })
        _ = try await connection.frames(of: 7)
        let metrics = try await RawHTTP.get(port: member.clientPort, "/metrics").body
        let received = metrics.split(separator: "\n").first { $0.hasPrefix("etcd_network_client_grpc_received_bytes_total ") }
        let receivedBytes = received.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
        #expect(receivedBytes > 1_000_000, "most of the upload reached the server after its reset: \(receivedBytes)")
        try await connection.startCall(9, path: "/etcdserverpb.KV/Range")
        var probe = Etcdserverpb_RangeRequest()
        probe.key = Data(repeating: 0x6B, count: 12_000)
        let probeMessage = RawHTTP2.grpcMessage(try probe.serializedBytes())
        // Not awaited: with the window gone the write would never complete, and the wait below reports it.
        Task { try? await connection.sendData(9, probeMessage, endStream: true) }
        #expect(GRPCAnswer(try await connection.frames(of: 9)).trailer("grpc-status") == "0", "more than what was left of the window got through")
        await connection.close()
    }

    @Test func requestsAndResponsesLargerThanTheFlowControlWindowsGetThrough() async throws {
        let member = try await Self.startMember()
        let connection = try await RawHTTP2.connect(port: member.clientPort)
        let value = (0..<1_400_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try await connection.startCall(1, path: "/etcdserverpb.KV/Put")
        try await connection.sendData(1, RawHTTP2.grpcMessage(try Self.put("big", value)), endStream: true)
        let put = GRPCAnswer(try await connection.frames(of: 1))
        #expect(put.trailer("grpc-status") == "0", "\(put.headers)")

        var range = Etcdserverpb_RangeRequest()
        range.key = Data("big".utf8)
        try await connection.startCall(3, path: "/etcdserverpb.KV/Range")
        try await connection.sendData(3, RawHTTP2.grpcMessage(try range.serializedBytes()), endStream: true)
        let answer = GRPCAnswer(try await connection.frames(of: 3))
        #expect(answer.trailer("grpc-status") == "0")
        let response = try Etcdserverpb_RangeResponse(serializedBytes: Array(answer.data.dropFirst(5)))
        #expect(response.kvs.first?.value == Data(value))
        await connection.close()
    }

    @Test func aCallPastItsDeadlineEndsWithDeadlineExceeded() async throws {
        let member = try await Self.startMember()
        let connection = try await RawHTTP2.connect(port: member.clientPort)
        let started = ContinuousClock.now
        try await connection.startCall(1, path: "/etcdserverpb.Watch/Watch", extra: [("grpc-timeout", "300m")])
        let watch = GRPCAnswer(try await connection.frames(of: 1))
        let elapsed = ContinuousClock.now - started
        #expect(watch.trailer("grpc-status") == "4")
        #expect(watch.trailer("grpc-message") == "context deadline exceeded")
        #expect(elapsed >= .milliseconds(250) && elapsed < .seconds(5), "\(elapsed)")

        var range = Etcdserverpb_RangeRequest()
        range.key = Data("k".utf8)
        try await connection.startCall(3, path: "/etcdserverpb.KV/Range", extra: [("grpc-timeout", "99999999H")])
        try await connection.sendData(3, RawHTTP2.grpcMessage(try range.serializedBytes()), endStream: true)
        #expect(GRPCAnswer(try await connection.frames(of: 3)).trailer("grpc-status") == "0", "the longest timeout gRPC can name")
        #expect(member.isRunning)
        await connection.close()
    }

    @Test func pingsTooOftenWithoutCallsCloseTheConnection() async throws {
        let member = try await Self.startMember()
        let connection = try await RawHTTP2.connect(port: member.clientPort)
        for ping in 1...4 {
            try await connection.send(HTTP2Frame(streamID: .rootStream, payload: .ping(HTTP2PingData(withInteger: UInt64(ping)), ack: false)))
        }
        let goAway = try await connection.connectionFrame { payload in
            if case .goAway = payload { return true }
            return false
        }
        guard case .goAway(_, let code, let data) = goAway.payload else { return }
        #expect(code == .enhanceYourCalm)
        #expect(data.map { String(buffer: $0) } == "too_many_pings")
        let deadline = ContinuousClock.now + .seconds(5)
        while !connection.isClosed && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(connection.isClosed)
        #expect(member.isRunning)
    }

    @Test func aGracefulShutdownSendsGoAwayAndTheMemberExits() async throws {
        let member = try await Self.startMember()
        let connection = try await RawHTTP2.connect(port: member.clientPort)
        var create = Etcdserverpb_WatchRequest()
        create.createRequest.key = Data("watched".utf8)
        try await connection.startCall(1, path: "/etcdserverpb.Watch/Watch")
        try await connection.sendData(1, RawHTTP2.grpcMessage(try create.serializedBytes()), endStream: false)
        _ = try await connection.frame(on: 1) { payload in
            if case .data = payload { return true }
            return false
        }
        async let exit = member.terminate()
        let goAway = try await connection.connectionFrame { payload in
            if case .goAway = payload { return true }
            return false
        }
        guard case .goAway(let lastStream, let code, _) = goAway.payload else { return }
        #expect(code == .noError && lastStream == 1)
        let started = ContinuousClock.now
        #expect(try await exit == 0)
        let waited = ContinuousClock.now - started
        #expect(waited < .seconds(12), "a watch stream holds the shutdown up to the drain timeout (7 s), not longer: \(waited)")
        #expect(connection.isClosed)
        await connection.close()
    }
}

/// A client cannot make the member buffer without bound: requests of a stream whose answers the client
/// never reads wait in the client (no flow-control credit comes back), and `--max-concurrent-streams`
/// caps the streams of a connection as etcd's flag does.
@Suite(.serialized) struct GRPCBackPressureTests {
    @Test func aFloodOfKeepAlivesNobodyReadsIsHeldBackByFlowControl() async throws {
        let member = try MemberProcess()
        try await member.waitUntilServing()
        // The client's window for the member's answers stays at HTTP/2's 64 KiB: once that much is unread,
        // the member's writes wait, its keep-alive loop stops taking requests, and so must the client.
        let connection = try await RawHTTP2.connect(port: member.clientPort, window: 65_535)
        try await connection.startCall(1, path: "/etcdserverpb.Lease/LeaseKeepAlive")
        let request = RawHTTP2.grpcMessage([0x08, 0x01])
        let frame = [UInt8]((0..<(16_384 / request.count)).flatMap { _ in request })
        var sent = 0
        while sent < 64 << 20 {
            let data = HTTP2Frame(streamID: 1, payload: .data(.init(data: .byteBuffer(ByteBuffer(bytes: frame)))))
            guard await connection.send(data, within: .seconds(2)) else { break }
            sent += frame.count
        }
        #expect(sent < 8 << 20, "the member took \(sent) bytes of requests it could not answer")
        let clients = try EndpointClients(ports: [member.clientPort])
        try await clients.put("still", "serving", port: member.clientPort, timeout: .seconds(20))
        await clients.close()
        await connection.close()
    }

    @Test func maxConcurrentStreamsCapsTheStreamsOfAConnection() async throws {
        let member = try MemberProcess(arguments: ["--max-concurrent-streams", "2"])
        try await member.waitUntilServing()
        let connection = try await RawHTTP2.connect(port: member.clientPort)
        let settings = try await connection.serverSettings()
        #expect(settings.contains { $0.parameter == .maxConcurrentStreams && $0.value == 2 }, "\(settings)")
        // NIOHTTP2 on both sides keeps to the announced limit: the client holds a third stream back, the
        // member resets one that comes anyway.
        await connection.close()
    }
}
