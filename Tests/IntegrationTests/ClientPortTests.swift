import EtcdGRPC
import EtcdProto
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import ProcessTestSupport
import Testing

/// The `etcd` binary serves gRPC and HTTP/1.1 on one client port.
@Suite(.serialized) struct ClientPortTests {
    private func withClient<T: Sendable>(
        port: Int,
        _ body: @Sendable (GRPCClient<HTTP2ClientTransport.Posix>) async throws -> T
    ) async throws -> T {
        let transport = try HTTP2ClientTransport.Posix(
            target: .ipv4(address: "127.0.0.1", port: port),
            transportSecurity: .plaintext
        )
        return try await withGRPCClient(transport: transport) { client in
            try await body(client)
        }
    }

    @Test func grpcAndHTTPShareTheClientPort() async throws {
        let member = try MemberProcess()
        try await member.waitUntilServing()

        let status = try await withClient(port: member.clientPort) { client in
            try await Etcdserverpb_Maintenance.Client(wrapping: client).status(Etcdserverpb_StatusRequest())
        }
        #expect(status.leader == status.header.memberID, "a one-member cluster leads itself")
        #expect(status.version == EtcdVersion.server)

        let version = try await RawHTTP.get(port: member.clientPort, "/version")
        #expect(version.status == 200)
        #expect(version.body == #"{"etcdserver":"\#(EtcdVersion.server)","etcdcluster":"\#(EtcdVersion.cluster)"}"#)

        let health = try await RawHTTP.get(port: member.clientPort, "/health")
        #expect(health.status == 200)
        #expect(health.body == #"{"health":"true","reason":""}"#)

        let missing = try await RawHTTP.get(port: member.clientPort, "/nope")
        #expect(missing.status == 404)
        #expect(missing.body == "404 page not found\n")
    }

    @Test func garbageIsRefusedWithoutHarmingOtherConnections() async throws {
        let member = try MemberProcess()
        try await member.waitUntilServing()

        let keepAlive = try RawConnection(port: member.clientPort)
        let request = "GET /version HTTP/1.1\r\nHost: x\r\n\r\n"
        let first = try await offload { try keepAlive.send(request); return try keepAlive.readResponse() }
        #expect(first.hasPrefix("HTTP/1.1 200 OK"))

        let garbage: [[UInt8]] = [
            [0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0x0d, 0x0a, 0x0d, 0x0a],
            Array("GET / HTTP/1.1\r\n\u{1}\r\n\r\n".utf8),
            [0xff, 0xfe, 0xfd],
        ]
        for bytes in garbage {
            let answer = try await RawHTTP.exchange(port: member.clientPort, bytes)
            #expect(answer.hasPrefix("HTTP/1.1 400 Bad Request"), "garbage is answered 400 and the connection closed")
        }

        let again = try await offload { try keepAlive.send(request); return try keepAlive.readResponse() }
        #expect(again.hasPrefix("HTTP/1.1 200 OK"), "an open connection keeps working")

        var range = Etcdserverpb_RangeRequest()
        range.key = Data("absent".utf8)
        let answer = try await withClient(port: member.clientPort) { [range] client in
            try await Etcdserverpb_KV.Client(wrapping: client).range(range)
        }
        #expect(answer.count == 0 && answer.header.revision == 1, "gRPC still works after the garbage")
        #expect(member.isRunning)
    }

    @Test func theRealEtcdctlGetsAnAnswerFromOurServer() async throws {
        let member = try MemberProcess()
        try await member.waitUntilServing()
        let etcdctl = try Binaries.system("etcdctl")
        let result = try await ProcessRunner.run(
            etcdctl,
            ["--endpoints=127.0.0.1:\(member.clientPort)", "--command-timeout=5s", "endpoint", "status"],
            environment: ["ETCDCTL_API": "3", "PATH": "/usr/bin:/bin"]
        )
        #expect(result.status == 0, "\(result.standardError)")
        let fields = result.standardOutput.split(separator: "\n").first?.components(separatedBy: ", ") ?? []
        #expect(fields.count >= 6 && fields[0] == "127.0.0.1:\(member.clientPort)", "\(result.standardOutput)")
        #expect(fields.count >= 6 && fields[2] == EtcdVersion.server && fields[4] == "true", "one member leads")
    }

    @Test func readinessIsSignalledToSystemdOnceServingAndStoppingOnSIGTERM() async throws {
        let notify = try NotifySocket()
        let member = try MemberProcess(environment: ["NOTIFY_SOCKET": notify.path])
        let messages = try #require(try await notify.messages(until: "READY=1", timeoutSeconds: 30))
        #expect(messages.first?.hasPrefix("STATUS=member ") == true)
        #expect(messages.last?.hasPrefix("READY=1\nSTATUS=member ") == true)
        let version = try await RawHTTP.get(port: member.clientPort, "/version")
        #expect(version.status == 200, "READY=1 comes only when the client port serves")
        #expect(try await member.terminate() == 0)
        #expect(try await notify.receive(timeoutSeconds: 5) == "STOPPING=1\nSTATUS=stopping")
    }
}
