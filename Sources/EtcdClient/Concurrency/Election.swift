import ConcurrencyRecipes
import EtcdProto
import Foundation
import Synchronization

/// A leader election with clientv3's algorithm and keys (`prefix/<lease in hex>`, the oldest creation
/// leads, its value is the proclamation), so Swift and Go candidates (`etcdctl elect`, etcd's Election
/// service) take part in the same election. The algorithm is ``ElectionRecipe``, which the member's
/// Election service runs too.
public final class Election: Sendable {
    public let session: Session
    /// The prefix with clientv3's trailing slash.
    public let prefix: String
    private let recipe: ElectionRecipe<ClientRecipeCalls>
    /// The key this session's campaign made, while it stands.
    private let leadership = Mutex<V3electionpb_LeaderKey?>(nil)

    /// clientv3's errors.
    public static let notLeader = EtcdError.electionNotLeader
    public static let noLeader = EtcdError.electionNoLeader

    /// An election on `prefix` in which `session` campaigns.
    public init(session: Session, prefix: String) {
        self.session = session
        self.prefix = prefix + "/"
        self.recipe = ElectionRecipe(name: Data(prefix.utf8), client: ClientRecipeCalls(client: session.client))
    }

    /// Waits until this session leads, proclaiming `value`. A cancelled campaign withdraws the candidacy;
    /// after any failure this election no longer counts itself a candidate.
    @discardableResult
    public func campaign(_ value: String) async throws -> Etcdserverpb_ResponseHeader {
        do {
            return try await self.recipe.campaign(Data(value.utf8), lease: self.session.lease) { candidacy in
                self.leadership.withLock { $0 = candidacy }
            }.header
        } catch {
            self.leadership.withLock { $0 = nil }
            throw error
        }
    }

    /// Changes the leader's value without an election; `notLeader` when this session does not lead.
    public func proclaim(_ value: String) async throws(EtcdError) {
        guard let leadership = self.leadership.withLock({ $0 }) else { throw Self.notLeader }
        do {
            _ = try await self.recipe.proclaim(Data(value.utf8), by: leadership)
        } catch {
            if error == Self.notLeader { self.leadership.withLock { $0 = nil } }
            throw error
        }
    }

    /// Gives up leadership (or the candidacy): deletes this session's key if it is still the one it made.
    public func resign() async throws(EtcdError) {
        guard let leadership = self.leadership.withLock({ $0 }) else { return }
        defer { self.leadership.withLock { $0 = nil } }
        _ = try await self.recipe.resign(leadership)
    }

    /// The current leader's key-value (the oldest candidate); `noLeader` when there is none.
    public static func leader(prefix: String, client: EtcdClient) async throws(EtcdError) -> Mvccpb_KeyValue {
        try await ElectionRecipe(name: Data(prefix.utf8), client: ClientRecipeCalls(client: client)).leader().kv
    }

    /// The leader's key-value each time it changes (a new leader, or a new proclamation), until the caller
    /// stops iterating or a watch ends; a failed read or watch ends the sequence with its error.
    public static func observe(prefix: String, client: EtcdClient) -> AsyncThrowingStream<Mvccpb_KeyValue, any Error> {
        let recipe = ElectionRecipe(name: Data(prefix.utf8), client: ClientRecipeCalls(client: client))
        let (stream, continuation) = AsyncThrowingStream<Mvccpb_KeyValue, any Error>.makeStream()
        let task = Task {
            do {
                try await recipe.observe { leader in continuation.yield(leader.kv) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
