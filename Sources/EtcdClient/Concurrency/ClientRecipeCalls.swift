import ConcurrencyRecipes
import EtcdProto
import Foundation

/// The client as the concurrency recipes see it: its KV calls and its shared watch stream.
struct ClientRecipeCalls: RecipeClient {
    let client: EtcdClient

    func range(_ request: Etcdserverpb_RangeRequest) async throws(EtcdError) -> Etcdserverpb_RangeResponse {
        try await self.client.range(request)
    }

    func txn(_ request: Etcdserverpb_TxnRequest) async throws(EtcdError) -> Etcdserverpb_TxnResponse {
        try await self.client.txn(request)
    }

    func deleteRange(_ request: Etcdserverpb_DeleteRangeRequest) async throws(EtcdError) -> Etcdserverpb_DeleteRangeResponse {
        try await self.client.deleteRange(request)
    }

    func watch(
        _ key: Data,
        rangeEnd: Data?,
        from revision: Int64,
        handle: (Etcdserverpb_WatchResponse) async throws -> Bool
    ) async throws {
        var options = WatchOptions()
        options.rangeEnd = rangeEnd.map { Array($0) }
        options.startRevision = revision
        for try await response in self.client.watch(Array(key), options: options) where !response.events.isEmpty {
            guard try await handle(response) else { return }
        }
    }
}
