import EtcdGRPC
import EtcdProto
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2

/// One gRPC client per member endpoint, running until ``close()``; tests pick the member they talk to.
final class EndpointClients: Sendable {
    private let clients: [Int: GRPCClient<HTTP2ClientTransport.Posix>]
    private let tasks: [Task<Void, any Error>]

    /// Clients for these client ports on loopback.
    init(ports: [Int]) throws {
        var clients: [Int: GRPCClient<HTTP2ClientTransport.Posix>] = [:]
        for port in ports {
            let transport = try HTTP2ClientTransport.Posix(
                target: .ipv4(address: "127.0.0.1", port: port),
                transportSecurity: .plaintext
            )
            clients[port] = GRPCClient(transport: transport)
        }
        self.clients = clients
        self.tasks = clients.values.map { client in Task { try await client.runConnections() } }
    }

    /// Stops every client.
    func close() async {
        for client in self.clients.values { client.beginGracefulShutdown() }
        for task in self.tasks { _ = try? await task.value }
    }

    func kv(_ port: Int) -> Etcdserverpb_KV.Client<HTTP2ClientTransport.Posix> {
        Etcdserverpb_KV.Client(wrapping: self.clients[port]!)
    }

    func maintenance(_ port: Int) -> Etcdserverpb_Maintenance.Client<HTTP2ClientTransport.Posix> {
        Etcdserverpb_Maintenance.Client(wrapping: self.clients[port]!)
    }

    func watch(_ port: Int) -> Etcdserverpb_Watch.Client<HTTP2ClientTransport.Posix> {
        Etcdserverpb_Watch.Client(wrapping: self.clients[port]!)
    }

    func lease(_ port: Int) -> Etcdserverpb_Lease.Client<HTTP2ClientTransport.Posix> {
        Etcdserverpb_Lease.Client(wrapping: self.clients[port]!)
    }

    func cluster(_ port: Int) -> Etcdserverpb_Cluster.Client<HTTP2ClientTransport.Posix> {
        Etcdserverpb_Cluster.Client(wrapping: self.clients[port]!)
    }

    func lock(_ port: Int) -> V3lockpb_Lock.Client<HTTP2ClientTransport.Posix> {
        V3lockpb_Lock.Client(wrapping: self.clients[port]!)
    }

    func election(_ port: Int) -> V3electionpb_Election.Client<HTTP2ClientTransport.Posix> {
        V3electionpb_Election.Client(wrapping: self.clients[port]!)
    }

    /// Puts `key` = `value` through the member at `port`, waiting at most `timeout`.
    func put(_ key: String, _ value: String, port: Int, timeout: Duration = .seconds(3)) async throws {
        var request = Etcdserverpb_PutRequest()
        request.key = Data(key.utf8)
        request.value = Data(value.utf8)
        var options = CallOptions.defaults
        options.timeout = timeout
        _ = try await self.kv(port).put(request, options: options)
    }

    /// Puts `prefix0` ... `prefix<count-1>`, each = `value`, through the member at `port` from 8 concurrent
    /// writers (large values fill a backend quickly).
    func fill(prefix: String, count: Int, value: String, port: Int) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for index in stride(from: worker, to: count, by: 8) {
                        try await self.put("\(prefix)\(index)", value, port: port, timeout: .seconds(20))
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// The value of `key` as the member at `port` sees it (serializable: its own copy), or nil.
    func value(of key: String, port: Int) async throws -> String? {
        var request = Etcdserverpb_RangeRequest()
        request.key = Data(key.utf8)
        request.serializable = true
        var options = CallOptions.defaults
        options.timeout = .seconds(5)
        let response = try await self.kv(port).range(request, options: options)
        return response.kvs.first.map { String(decoding: $0.value, as: UTF8.self) }
    }

    /// Every key and value under `prefix` as the member at `port` sees it (serializable: its own copy),
    /// waiting at most `timeout`.
    func read(
        prefix: String, port: Int, serializable: Bool = true, timeout: Duration = .seconds(5)
    ) async throws -> (revision: Int64, values: [String: String]) {
        var request = Etcdserverpb_RangeRequest()
        request.key = Data(prefix.utf8)
        var end = Array(prefix.utf8)
        end[end.count - 1] += 1
        request.rangeEnd = Data(end)
        request.serializable = serializable
        var options = CallOptions.defaults
        options.timeout = timeout
        let response = try await self.kv(port).range(request, options: options)
        var values: [String: String] = [:]
        for kv in response.kvs {
            values[String(decoding: kv.key, as: UTF8.self)] = String(decoding: kv.value, as: UTF8.self)
        }
        return (response.header.revision, values)
    }
}
