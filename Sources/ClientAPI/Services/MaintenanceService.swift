import EtcdGRPC
import EtcdProto
import EtcdServer
import GRPCCore

/// etcd's `Maintenance` service on the member.
public struct MaintenanceService: Etcdserverpb_Maintenance.SimpleServiceProtocol {
    private let server: EtcdServer

    /// Maintenance operations this member does not offer; the call fails with this code and says which.
    static func notOffered(_ operation: String) -> EtcdError {
        EtcdError(.unimplemented, "etcdserver: \(operation) is not supported by this member")
    }

    /// A service answering from `server`.
    public init(server: EtcdServer) {
        self.server = server
    }

    public func alarm(request: Etcdserverpb_AlarmRequest, context: ServerContext) async throws -> Etcdserverpb_AlarmResponse {
        try await self.server.alarm(request)
    }

    public func status(request: Etcdserverpb_StatusRequest, context: ServerContext) async throws -> Etcdserverpb_StatusResponse {
        await self.server.status()
    }

    public func defragment(
        request: Etcdserverpb_DefragmentRequest,
        context: ServerContext
    ) async throws -> Etcdserverpb_DefragmentResponse {
        try await self.server.checkMaintenanceAdmin()
        return try await self.server.defragment()
    }

    public func hash(request: Etcdserverpb_HashRequest, context: ServerContext) async throws -> Etcdserverpb_HashResponse {
        try await self.server.checkMaintenanceAdmin()
        return try self.server.hash()
    }

    public func hashKV(request: Etcdserverpb_HashKVRequest, context: ServerContext) async throws -> Etcdserverpb_HashKVResponse {
        try await self.server.checkMaintenanceAdmin()
        return try self.server.hashKV(request)
    }

    public func snapshot(
        request: Etcdserverpb_SnapshotRequest,
        response: RPCWriter<Etcdserverpb_SnapshotResponse>,
        context: ServerContext
    ) async throws {
        try await self.server.checkMaintenanceAdmin()
        try await self.server.snapshot { try await response.write($0) }
    }

    public func moveLeader(
        request: Etcdserverpb_MoveLeaderRequest,
        context: ServerContext
    ) async throws -> Etcdserverpb_MoveLeaderResponse {
        try await self.server.moveLeader(request)
    }

    public func downgrade(
        request: Etcdserverpb_DowngradeRequest,
        context: ServerContext
    ) async throws -> Etcdserverpb_DowngradeResponse {
        throw Self.notOffered("cluster downgrade")
    }
}
