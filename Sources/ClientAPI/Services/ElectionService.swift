import ConcurrencyRecipes
import EtcdGRPC
import EtcdProto
import EtcdServer
import Foundation
import GRPCCore

/// etcd's `Election` service (v3election): clientv3's election run against this member, as etcd runs it.
/// `Campaign` waits on the caller's lease (for lease 0, a new one of 60 s, never kept alive) until that
/// candidate leads; `Proclaim` and `Resign` act on the leader key they are given (a lease of 0 there gets a new
/// lease too, as in etcd); `Leader` reads the oldest candidate; `Observe` streams the leader each time it
/// changes. Failures have code Unknown and etcd's message (``RecipeAnswer``).
public struct ElectionService: V3electionpb_Election.SimpleServiceProtocol {
    /// etcd's answer to a `Proclaim` or `Resign` without a leader key.
    static let missingLeaderKey = EtcdError(.unknown, #""leader" field must be provided"#)

    private let member: MemberRecipeClient

    /// A service running elections on `server`.
    public init(server: EtcdServer) {
        self.member = MemberRecipeClient(server: server)
    }

    public func campaign(request: V3electionpb_CampaignRequest, context: ServerContext) async throws -> V3electionpb_CampaignResponse {
        try await RecipeAnswer.run {
            let lease = try await self.member.sessionLease(request.lease)
            return try await self.election(request.name).campaign(request.value, lease: lease)
        }
    }

    public func proclaim(request: V3electionpb_ProclaimRequest, context: ServerContext) async throws -> V3electionpb_ProclaimResponse {
        try await RecipeAnswer.run {
            let leadership = try await self.resumed(request.hasLeader ? request.leader : nil)
            var response = V3electionpb_ProclaimResponse()
            response.header = try await self.election(leadership.name).proclaim(request.value, by: leadership)
            return response
        }
    }

    public func leader(request: V3electionpb_LeaderRequest, context: ServerContext) async throws -> V3electionpb_LeaderResponse {
        try await RecipeAnswer.run { try await self.election(request.name).leader() }
    }

    /// Streams the leader until the client goes away. A read or watch that fails ends the stream without an
    /// error, as etcd's observer closes its channel and the call returns.
    public func observe(
        request: V3electionpb_LeaderRequest,
        response: RPCWriter<V3electionpb_LeaderResponse>,
        context: ServerContext
    ) async throws {
        do {
            try await self.election(request.name).observe { leader in try await response.write(leader) }
        } catch {
            return
        }
    }

    public func resign(request: V3electionpb_ResignRequest, context: ServerContext) async throws -> V3electionpb_ResignResponse {
        try await RecipeAnswer.run {
            let leadership = try await self.resumed(request.hasLeader ? request.leader : nil)
            var response = V3electionpb_ResignResponse()
            response.header = try await self.election(leadership.name).resign(leadership)
            return response
        }
    }

    private func election(_ name: Data) -> ElectionRecipe<MemberRecipeClient> {
        ElectionRecipe(name: name, client: self.member)
    }

    /// The leadership a request names, with the lease its session uses (clientv3's `ResumeElection`).
    private func resumed(_ key: V3electionpb_LeaderKey?) async throws(EtcdError) -> V3electionpb_LeaderKey {
        guard var leadership = key else { throw Self.missingLeaderKey }
        leadership.lease = try await self.member.sessionLease(leadership.lease)
        return leadership
    }
}
