import EtcdProto
import Foundation

/// clientv3's `Mutex` over any ``RecipeClient``. Each session waiting for the lock `name` puts the key
/// `name/<lease in hex>`, attached to its lease; the key created first holds the lock. Go's mutexes, etcdctl's
/// `lock`, etcd's Lock service and this recipe on the same name therefore exclude one another.
public struct MutexRecipe<Client: RecipeClient>: Sendable {
    public let client: Client
    /// `name/`: where the waiters' keys are.
    public let prefix: Data
    /// This session's key.
    public let key: Data
    /// The session's lease, which the key is attached to.
    public let lease: Int64

    /// The lock `name` as the session of `lease` takes it.
    public init(name: Data, lease: Int64, client: Client) {
        self.client = client
        self.prefix = RecipeRequests.prefix(of: name)
        self.key = RecipeRequests.key(under: self.prefix, lease: lease)
        self.lease = lease
    }

    /// Waits until this session holds the lock (clientv3's `Mutex.Lock`); returns the key and the header of
    /// the answer that showed it held: the transaction that put the key, when no older key existed (or the key
    /// already was this session's and the oldest), else the read of the key once every older one had gone.
    ///
    /// A wait that fails or is cancelled deletes the key again. A key that has gone by the time its turn comes
    /// (its lease expired or was revoked) fails with ``EtcdError/mutexSessionExpired``.
    public func lock() async throws -> V3lockpb_LockResponse {
        let acquired = try await self.client.txn(self.acquisition)
        var revision = acquired.header.revision
        if !acquired.succeeded, let existing = acquired.responses.first?.responseRange.kvs.first {
            revision = existing.createRevision
        }
        let holder = acquired.responses.last?.responseRange.kvs.first
        if holder == nil || holder?.createRevision == revision {
            return self.held(acquired.header)
        }
        let mine: Etcdserverpb_RangeResponse
        do {
            _ = try await DeletionWait.untilGone(under: self.prefix, createdBy: revision - 1, client: self.client)
            mine = try await self.client.range(RecipeRequests.read(self.key))
        } catch {
            await RecipeCleanup.regardless { _ = try await self.unlock() }
            throw error
        }
        guard !mine.kvs.isEmpty else { throw EtcdError.mutexSessionExpired }
        return self.held(mine.header)
    }

    /// Releases the lock, or gives up waiting for it: deletes this session's key (clientv3's `Mutex.Unlock`).
    @discardableResult
    public func unlock() async throws(EtcdError) -> Etcdserverpb_DeleteRangeResponse {
        var delete = Etcdserverpb_DeleteRangeRequest()
        delete.key = self.key
        return try await self.client.deleteRange(delete)
    }

    /// Puts the key unless it exists, and reads it (when it does) and the oldest key under the prefix.
    private var acquisition: Etcdserverpb_TxnRequest {
        let holder = RecipeRequests.range(RecipeRequests.firstCreated(under: self.prefix))
        return RecipeRequests.ifCreated(
            self.key,
            at: 0,
            then: [RecipeRequests.put(self.key, Data(), lease: self.lease), holder],
            otherwise: [RecipeRequests.range(RecipeRequests.read(self.key)), holder]
        )
    }

    private func held(_ header: Etcdserverpb_ResponseHeader) -> V3lockpb_LockResponse {
        var response = V3lockpb_LockResponse()
        response.header = header
        response.key = self.key
        return response
    }
}
