import EtcdClient
import EtcdGRPC
import EtcdProto
import GRPCCore
import GRPCNIOTransportHTTP2
import NIOCore

/// A gRPC client over one HTTP/2 connection to one member.
typealias Connection = GRPCClient<HTTP2ClientTransport.Posix>

/// Opening connections and finding the leader.
enum Connections {
    /// Runs `body` with `count` connections spread round-robin over `endpoints`, then closes them.
    static func with<Result: Sendable>(
        count: Int,
        spreadOver endpoints: [MemberAddress],
        _ body: ([Connection]) async throws -> Result
    ) async throws -> Result {
        let connections = try (0..<count).map { Connection(transport: try self.transport(to: endpoints[$0 % endpoints.count])) }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for connection in connections {
                group.addTask { try await connection.runConnections() }
            }
            defer { connections.forEach { $0.beginGracefulShutdown() } }
            return try await body(connections)
        }
    }

    /// The endpoint whose member says it leads (Maintenance.Status); the only endpoint if there is one.
    static func leader(among endpoints: [MemberAddress]) async throws -> MemberAddress {
        guard endpoints.count > 1 else { return endpoints[0] }
        for endpoint in endpoints {
            let status = try? await withGRPCClient(transport: try self.transport(to: endpoint)) { client in
                try await Etcdserverpb_Maintenance.Client(wrapping: client).status(Etcdserverpb_StatusRequest())
            }
            if let status, status.leader != 0, status.header.memberID == status.leader { return endpoint }
        }
        throw UsageError("no endpoint among \(endpoints) is the leader")
    }

    /// A plaintext transport to `endpoint` whose connections answer PINGs first (see PingAnswerer).
    private static func transport(to endpoint: MemberAddress) throws -> HTTP2ClientTransport.Posix {
        var config = HTTP2ClientTransport.Posix.Config.defaults
        config.channelDebuggingCallbacks.onCreateTCPConnection = { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(PingAnswerer(), position: .first)
            }
        }
        return try HTTP2ClientTransport.Posix(
            target: .dns(host: endpoint.host, port: endpoint.port),
            transportSecurity: .plaintext,
            config: config
        )
    }
}
