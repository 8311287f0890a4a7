import EtcdGRPC
import EtcdProto
import EtcdServer
import GRPCCore

/// etcd's `Lease` service on the member; keep-alives reaching a follower are forwarded to the leader.
public struct LeaseService: Etcdserverpb_Lease.SimpleServiceProtocol {
    private let server: EtcdServer

    /// A service answering from `server`.
    public init(server: EtcdServer) {
        self.server = server
    }

    public func leaseGrant(
        request: Etcdserverpb_LeaseGrantRequest,
        context: ServerContext
    ) async throws -> Etcdserverpb_LeaseGrantResponse {
        try await self.server.leaseGrant(request)
    }

    public func leaseRevoke(
        request: Etcdserverpb_LeaseRevokeRequest,
        context: ServerContext
    ) async throws -> Etcdserverpb_LeaseRevokeResponse {
        try await self.server.leaseRevoke(request)
    }

    public func leaseKeepAlive(
        request: RPCAsyncSequence<Etcdserverpb_LeaseKeepAliveRequest, any Error>,
        response: RPCWriter<Etcdserverpb_LeaseKeepAliveResponse>,
        context: ServerContext
    ) async throws {
        for try await keepAlive in request {
            try await response.write(try await self.server.leaseRenew(keepAlive.id))
        }
    }

    public func leaseTimeToLive(
        request: Etcdserverpb_LeaseTimeToLiveRequest,
        context: ServerContext
    ) async throws -> Etcdserverpb_LeaseTimeToLiveResponse {
        try await self.server.leaseTimeToLive(request)
    }

    public func leaseLeases(
        request: Etcdserverpb_LeaseLeasesRequest,
        context: ServerContext
    ) async throws -> Etcdserverpb_LeaseLeasesResponse {
        self.server.leaseLeases()
    }
}
