import EtcdProto
import Foundation

extension ElectionRecipe {
    /// Hands `deliver` the leader each time it changes (clientv3's `Election.Observe`): the oldest candidate's
    /// key-value with the header of the read that found it, then every value it proclaims with the header of
    /// the watch response that carried it, and once its key is deleted the next leader. While there is no
    /// candidate it waits for the first key put under the prefix, reported with the header revision set to
    /// that key's. `deliver` is awaited before the watch goes on, so a slow consumer holds the watch back
    /// rather than piling leaders up (Go's channel is unbuffered).
    ///
    /// Returns when a watch ends by itself or the task is cancelled; throws what failed a read or a watch, or
    /// what `deliver` threw. Go's observer just closes its channel on any of these.
    public func observe(_ deliver: (V3electionpb_LeaderResponse) async throws -> Void) async throws {
        while true {
            let current = try await self.client.range(RecipeRequests.firstCreated(under: self.prefix))
            let leader: V3electionpb_LeaderResponse
            if let kv = current.kvs.first {
                leader = Self.observed(kv, header: current.header)
            } else if let first = try await self.firstCandidate(from: current.header.revision) {
                leader = first
            } else {
                return
            }
            try await deliver(leader)
            guard try await self.follow(leader, deliver) else { return }
        }
    }

    /// The first key put under the prefix at `revision` or later; nil when the watch ends first.
    private func firstCandidate(from revision: Int64) async throws -> V3electionpb_LeaderResponse? {
        var found: V3electionpb_LeaderResponse?
        try await self.client.watch(self.prefix, rangeEnd: RecipeRequests.prefixEnd(of: self.prefix), from: revision) { response in
            guard let put = response.events.first(where: { $0.type == .put }) else { return true }
            var header = response.header
            header.revision = put.kv.modRevision
            found = Self.observed(put.kv, header: header)
            return false
        }
        return found
    }

    /// Delivers each new value of `leader`'s key until the key is deleted (true) or the watch ends first (false).
    private func follow(
        _ leader: V3electionpb_LeaderResponse,
        _ deliver: (V3electionpb_LeaderResponse) async throws -> Void
    ) async throws -> Bool {
        var deleted = false
        try await self.client.watch(leader.kv.key, rangeEnd: nil, from: leader.header.revision + 1) { response in
            for event in response.events {
                if event.type == .delete {
                    deleted = true
                    return false
                }
                try await deliver(Self.observed(event.kv, header: response.header))
            }
            return true
        }
        return deleted
    }
}
