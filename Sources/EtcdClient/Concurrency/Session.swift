import EtcdProto
import Synchronization

/// A lease kept alive for as long as the session lives, as clientv3's `concurrency.Session`: the lock and
/// election recipes attach their keys to it, so they vanish when the holder dies. ``close()`` revokes the
/// lease; ``ended`` tells when it was lost anyway (keep-alives failed past its TTL).
public final class Session: Sendable {
    /// clientv3's default TTL of a session's lease, in seconds.
    public static let defaultTTL: Int64 = 60

    public let client: EtcdClient
    /// The lease the session keeps alive.
    public let lease: Int64
    private let keeper: Task<Void, Never>
    private let lost = LostLease()
    private let endedSignal: AsyncStream<Void>

    /// Grants a lease of `ttl` seconds (or uses lease `lease` when given) and starts keeping it alive.
    public init(client: EtcdClient, ttl: Int64 = Session.defaultTTL, lease: Int64? = nil) async throws(EtcdError) {
        self.client = client
        if let lease {
            self.lease = lease
        } else {
            self.lease = try await client.grantLease(ttl: ttl).id
        }
        let (signal, continuation) = AsyncStream<Void>.makeStream()
        self.endedSignal = signal
        let keepAlive = client.keepAlive(self.lease)
        let lost = self.lost
        self.keeper = Task {
            do {
                for try await _ in keepAlive {}
            } catch {
                lost.error.withLock { $0 = error }
            }
            continuation.finish()
        }
    }

    /// Returns once the session has ended: its lease was lost or ``close()`` ran.
    public func ended() async {
        for await _ in self.endedSignal {}
    }

    /// Why the lease was lost, once it was.
    public var failure: (any Error)? { self.lost.error.withLock { $0 } }

    /// Stops the keep-alives and revokes the lease, deleting every key attached to it.
    public func close() async throws(EtcdError) {
        self.keeper.cancel()
        _ = try await self.client.revokeLease(self.lease)
    }
}

/// Why a session's lease was lost, set by its keep-alive task.
private final class LostLease: Sendable {
    let error = Mutex<(any Error)?>(nil)
}
