import ConcurrencyRecipes
import EtcdProto
import EtcdServer
import Foundation
import MVCC

/// The member's own API as the concurrency recipes' client, as etcd's Lock and Election services run the recipes
/// through an in-process clientv3: linearizable ranges, transactions and deletes through ``EtcdServer``, and
/// watches on the member's store that carry on on the new store when a leader's snapshot replaces it (as
/// clientv3 resumes a watch), so a waiting lock or campaign never notices.
struct MemberRecipeClient: RecipeClient {
    /// clientv3's default TTL of a session's lease, in seconds, which the services grant for lease 0.
    static let sessionTTLSeconds: Int64 = 60

    let server: EtcdServer

    func range(_ request: Etcdserverpb_RangeRequest) async throws(EtcdError) -> Etcdserverpb_RangeResponse {
        try await Self.calling { try await self.server.range(request) }
    }

    func txn(_ request: Etcdserverpb_TxnRequest) async throws(EtcdError) -> Etcdserverpb_TxnResponse {
        try await Self.calling { try await self.server.txn(request) }
    }

    func deleteRange(_ request: Etcdserverpb_DeleteRangeRequest) async throws(EtcdError) -> Etcdserverpb_DeleteRangeResponse {
        try await Self.calling { try await self.server.deleteRange(request) }
    }

    /// The lease a recipe's session uses, as clientv3's `NewSession` picks it: `lease` itself, or for 0 a new
    /// lease of ``sessionTTLSeconds``. Nobody keeps it alive: etcd's services orphan their sessions at once.
    func sessionLease(_ lease: Int64) async throws(EtcdError) -> Int64 {
        guard lease == 0 else { return lease }
        var grant = Etcdserverpb_LeaseGrantRequest()
        grant.ttl = Self.sessionTTLSeconds
        return try await Self.calling { try await self.server.leaseGrant(grant) }.id
    }

    /// Runs a call of the member's API; what it throws that is not an `EtcdError` (a cancelled wait) becomes one.
    private static func calling<T>(_ call: () async throws -> T) async throws(EtcdError) -> T {
        do {
            return try await call()
        } catch let error as EtcdError {
            throw error
        } catch is CancellationError {
            throw EtcdError(.canceled, "context canceled")
        } catch {
            throw EtcdError(.unknown, "\(error)")
        }
    }
}
