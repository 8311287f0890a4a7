import ConcurrencyRecipes
import EtcdGRPC
import EtcdProto
import EtcdServer
import GRPCCore

/// etcd's `Lock` service (v3lock): clientv3's mutex run against this member, as etcd runs it. `Lock` waits on
/// the caller's lease (for lease 0, a new one of 60 s) and never keeps it alive, so the lock lasts as long as
/// the lease; the answer names the holder's key, `<name>/<lease in hex>`. `Unlock` deletes the key it is
/// given. Failures have code Unknown and etcd's message (``RecipeAnswer``).
public struct LockService: V3lockpb_Lock.SimpleServiceProtocol {
    private let member: MemberRecipeClient

    /// A service taking locks on `server`.
    public init(server: EtcdServer) {
        self.member = MemberRecipeClient(server: server)
    }

    public func lock(request: V3lockpb_LockRequest, context: ServerContext) async throws -> V3lockpb_LockResponse {
        try await RecipeAnswer.run {
            let lease = try await self.member.sessionLease(request.lease)
            return try await MutexRecipe(name: request.name, lease: lease, client: self.member).lock()
        }
    }

    public func unlock(request: V3lockpb_UnlockRequest, context: ServerContext) async throws -> V3lockpb_UnlockResponse {
        try await RecipeAnswer.run {
            var delete = Etcdserverpb_DeleteRangeRequest()
            delete.key = request.key
            var response = V3lockpb_UnlockResponse()
            response.header = try await self.member.deleteRange(delete).header
            return response
        }
    }
}
