import ConcurrencyRecipes
import EtcdProto
import Foundation

/// A distributed lock with clientv3's algorithm and keys (`prefix/<lease in hex>`, the oldest creation
/// holds it), so a Swift and a Go mutex on the same prefix exclude each other (`etcdctl lock` and etcd's
/// Lock service included). The algorithm is ``MutexRecipe``, which the member's Lock service runs too.
public final class EtcdMutex: Sendable {
    public let session: Session
    /// The prefix with clientv3's trailing slash.
    public let prefix: String
    private let recipe: MutexRecipe<ClientRecipeCalls>

    /// This holder's key.
    public var key: String { String(decoding: self.recipe.key, as: UTF8.self) }

    /// A mutex on `prefix` held through `session`.
    public init(session: Session, prefix: String) {
        self.session = session
        self.prefix = prefix + "/"
        self.recipe = MutexRecipe(name: Data(prefix.utf8), lease: session.lease, client: ClientRecipeCalls(client: session.client))
    }

    /// Waits until this session holds the lock; returns the header of the answer that granted it. On
    /// failure (or cancellation) the waiting key is deleted again; a key lost while waiting (the session's
    /// lease ended) fails with `mutex: session is expired`.
    @discardableResult
    public func lock() async throws -> Etcdserverpb_ResponseHeader {
        try await self.recipe.lock().header
    }

    /// Releases the lock (deletes this session's key).
    public func unlock() async throws(EtcdError) {
        try await self.recipe.unlock()
    }
}
