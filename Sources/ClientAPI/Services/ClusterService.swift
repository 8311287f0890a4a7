import EtcdGRPC
import EtcdProto
import EtcdServer
import GRPCCore

/// etcd's `Cluster` service on the member.
public struct ClusterService: Etcdserverpb_Cluster.SimpleServiceProtocol {
    private let server: EtcdServer

    /// A service answering from `server`.
    public init(server: EtcdServer) {
        self.server = server
    }

    public func memberAdd(
        request: Etcdserverpb_MemberAddRequest,
        context: ServerContext
    ) async throws -> Etcdserverpb_MemberAddResponse {
        try await self.server.memberAdd(request)
    }

    public func memberRemove(
        request: Etcdserverpb_MemberRemoveRequest,
        context: ServerContext
    ) async throws -> Etcdserverpb_MemberRemoveResponse {
        try await self.server.memberRemove(request)
    }

    public func memberUpdate(
        request: Etcdserverpb_MemberUpdateRequest,
        context: ServerContext
    ) async throws -> Etcdserverpb_MemberUpdateResponse {
        try await self.server.memberUpdate(request)
    }

    public func memberList(
        request: Etcdserverpb_MemberListRequest,
        context: ServerContext
    ) async throws -> Etcdserverpb_MemberListResponse {
        try await self.server.memberList(request)
    }

    public func memberPromote(
        request: Etcdserverpb_MemberPromoteRequest,
        context: ServerContext
    ) async throws -> Etcdserverpb_MemberPromoteResponse {
        try await self.server.memberPromote(request)
    }
}
