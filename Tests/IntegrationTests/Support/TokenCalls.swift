import EtcdGRPC
import EtcdProto
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2

/// Authenticate and Range with a raw `token` metadata entry, on a plaintext gRPC connection to one member:
/// what a client sends once it holds a token, with no client library in between.
final class TokenCalls: Sendable {
    private let client: GRPCClient<HTTP2ClientTransport.Posix>
    private let task: Task<Void, any Error>

    init(port: Int) throws {
        let transport = try HTTP2ClientTransport.Posix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext)
        let client = GRPCClient(transport: transport)
        self.client = client
        self.task = Task { try await client.runConnections() }
    }

    func close() async {
        self.client.beginGracefulShutdown()
        _ = try? await self.task.value
    }

    /// Generous: the tests check what a token opens, not how fast; a CI run with every suite starting clusters
    /// at once once took more than 5 s for a cluster's first authentication.
    private var options: CallOptions {
        var options = CallOptions.defaults
        options.timeout = .seconds(15)
        return options
    }

    /// The token the member issues for `user`.
    func authenticate(_ user: String, _ password: String) async throws -> String {
        var request = Etcdserverpb_AuthenticateRequest()
        request.name = user
        request.password = password
        return try await Etcdserverpb_Auth.Client(wrapping: self.client).authenticate(request, options: self.options).token
    }

    /// The value of `key` (nil when absent), read with `token`.
    func value(of key: String, token: String) async throws -> String? {
        var request = Etcdserverpb_RangeRequest()
        request.key = Data(key.utf8)
        let response = try await Etcdserverpb_KV.Client(wrapping: self.client)
            .range(request, metadata: ["token": .string(token)], options: self.options)
        return response.kvs.first.map { String(decoding: $0.value, as: UTF8.self) }
    }

    /// Puts `key` = `value` with `token`.
    func put(_ key: String, _ value: String, token: String) async throws {
        var request = Etcdserverpb_PutRequest()
        request.key = Data(key.utf8)
        request.value = Data(value.utf8)
        _ = try await Etcdserverpb_KV.Client(wrapping: self.client).put(request, metadata: ["token": .string(token)], options: self.options)
    }
}
