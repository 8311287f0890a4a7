import EtcdProto
import Foundation

/// The wait behind a lock's or a campaign's turn: for the keys ahead of the waiter's to go (clientv3's
/// `waitDeletes` and `waitDelete`).
enum DeletionWait {
    /// Waits until no key under `prefix` created at or before `maxCreateRevision` is left: watches the newest
    /// of them until it is deleted, then reads again. Returns the header of the read that found none.
    static func untilGone(
        under prefix: Data,
        createdBy maxCreateRevision: Int64,
        client: some RecipeClient
    ) async throws -> Etcdserverpb_ResponseHeader {
        while true {
            let ahead = try await client.range(RecipeRequests.lastCreated(under: prefix, by: maxCreateRevision))
            guard let key = ahead.kvs.first?.key else { return ahead.header }
            try await self.untilDeleted(key, from: ahead.header.revision, client: client)
        }
    }

    /// Waits for a deletion of `key` at `revision` or later. A watch that ends first fails the wait: with
    /// `CancellationError` when the task was cancelled, else with `lost watcher waiting for delete`.
    static func untilDeleted(_ key: Data, from revision: Int64, client: some RecipeClient) async throws {
        var deleted = false
        try await client.watch(key, rangeEnd: nil, from: revision) { response in
            deleted = response.events.contains { $0.type == .delete }
            return !deleted
        }
        if deleted { return }
        try Task.checkCancellation()
        throw EtcdError.lostWatcher
    }
}
