import EtcdProto
import Foundation

/// clientv3's `Election` over any ``RecipeClient``. Each candidate in the election `name` puts the key
/// `name/<lease in hex>`, attached to its lease, with its proclamation as the value; the key created first
/// leads. A leadership is named by its ``V3electionpb_LeaderKey`` (key, creation revision, lease), which is
/// what proclaiming and resigning check, so a key made again by a later campaign is never taken for it.
public struct ElectionRecipe<Client: RecipeClient>: Sendable {
    public let client: Client
    /// The election's name.
    public let name: Data
    /// `name/`: where the candidates' keys are.
    public let prefix: Data

    /// The election `name`.
    public init(name: Data, client: Client) {
        self.client = client
        self.name = name
        self.prefix = RecipeRequests.prefix(of: name)
    }

    /// Waits until the session of `lease` leads, its key holding `value` (clientv3's `Election.Campaign`).
    /// `candidacy` hears of the key as soon as it is in place, before the wait. A key this session already has
    /// is kept, and `value` proclaimed on it if it holds another. Returns the leadership and the header of the
    /// transaction that put (or found) the key.
    ///
    /// A failed proclamation resigns. A wait cancelled with the task resigns too; a wait that fails otherwise
    /// leaves the key, as Go does.
    public func campaign(
        _ value: Data,
        lease: Int64,
        candidacy: (V3electionpb_LeaderKey) -> Void = { _ in }
    ) async throws -> V3electionpb_CampaignResponse {
        var leadership = V3electionpb_LeaderKey()
        leadership.name = self.name
        leadership.key = RecipeRequests.key(under: self.prefix, lease: lease)
        leadership.lease = lease
        let entered = try await self.client.txn(
            RecipeRequests.ifCreated(
                leadership.key,
                at: 0,
                then: [RecipeRequests.put(leadership.key, value, lease: lease)],
                otherwise: [RecipeRequests.range(RecipeRequests.read(leadership.key))]
            )
        )
        leadership.rev = entered.header.revision
        let existing = entered.succeeded ? nil : entered.responses.first?.responseRange.kvs.first
        if let existing { leadership.rev = existing.createRevision }
        candidacy(leadership)
        if let existing, existing.value != value {
            do {
                _ = try await self.proclaim(value, by: leadership)
            } catch {
                await RecipeCleanup.regardless { [leadership] in _ = try await self.resign(leadership) }
                throw error
            }
        }
        do {
            _ = try await DeletionWait.untilGone(under: self.prefix, createdBy: leadership.rev - 1, client: self.client)
        } catch {
            if Task.isCancelled {
                await RecipeCleanup.regardless { [leadership] in _ = try await self.resign(leadership) }
            }
            throw error
        }
        var response = V3electionpb_CampaignResponse()
        response.header = entered.header
        response.leader = leadership
        return response
    }

    /// Sets the value of `leadership`'s key, provided it is still the key that campaign created (clientv3's
    /// `Election.Proclaim`); ``EtcdError/electionNotLeader`` otherwise. The key stays attached to the
    /// leadership's lease. Returns the header of the transaction.
    public func proclaim(_ value: Data, by leadership: V3electionpb_LeaderKey) async throws(EtcdError) -> Etcdserverpb_ResponseHeader {
        let answer = try await self.client.txn(
            RecipeRequests.ifCreated(
                leadership.key,
                at: leadership.rev,
                then: [RecipeRequests.put(leadership.key, value, lease: leadership.lease)]
            )
        )
        guard answer.succeeded else { throw .electionNotLeader }
        return answer.header
    }

    /// Deletes `leadership`'s key, provided it is still the key that campaign created (clientv3's
    /// `Election.Resign`); a stale leadership changes nothing and is no error. Returns the header of the
    /// transaction either way.
    public func resign(_ leadership: V3electionpb_LeaderKey) async throws(EtcdError) -> Etcdserverpb_ResponseHeader {
        try await self.client.txn(
            RecipeRequests.ifCreated(leadership.key, at: leadership.rev, then: [RecipeRequests.delete(leadership.key)])
        ).header
    }

    /// The leader's key-value, with the header of the read (clientv3's `Election.Leader`);
    /// ``EtcdError/electionNoLeader`` when there is no candidate.
    public func leader() async throws(EtcdError) -> V3electionpb_LeaderResponse {
        let answer = try await self.client.range(RecipeRequests.firstCreated(under: self.prefix))
        guard let leader = answer.kvs.first else { throw .electionNoLeader }
        return ElectionRecipe.observed(leader, header: answer.header)
    }

    /// A leader as Go's election service reports it.
    static func observed(_ leader: Mvccpb_KeyValue, header: Etcdserverpb_ResponseHeader) -> V3electionpb_LeaderResponse {
        var response = V3electionpb_LeaderResponse()
        response.header = header
        response.kv = leader
        return response
    }
}
