import Synchronization

/// Leases' clocks, as etcd's lessor keeps them: when each lease expires, and what a new leader restarts
/// it from. Only the primary (the leader's lessor) expires and renews leases; the others track leases
/// without clocks. A lease restarts on promotion from its remaining TTL: the last checkpoint's when one is
/// recorded, the granted TTL when not (a renewal clears the checkpoint, so a kept-alive lease gets its
/// full TTL again), plus the election timeout.
///
/// Pure: no I/O, no timers; time is passed in (`now`). Thread-safe.
public final class Lessor: Sendable {
    private struct Lease {
        var ttlSeconds: Int64
        /// The last checkpoint's remaining TTL; 0 when none is recorded (or a renewal cleared it).
        var remainingSeconds: Int64
        /// When it expires; nil while this lessor is not the primary.
        var expiry: ContinuousClock.Instant?

        /// What a new primary restarts the lease's clock from (etcd's `getRemainingTTL`).
        var restartSeconds: Int64 { self.remainingSeconds > 0 ? self.remainingSeconds : self.ttlSeconds }
    }

    private struct State {
        var leases: [Int64: Lease] = [:]
        var isPrimary = false
    }

    /// A renewal on the primary: the TTL the lease starts again with, and whether a checkpoint of it is on
    /// record that the log must now clear (etcd proposes a checkpoint of 0 then, so that a later leader
    /// does not restart the lease from that older remaining TTL).
    public struct Renewal: Sendable, Equatable {
        public var ttlSeconds: Int64
        public var clearsCheckpoint: Bool

        /// A renewal to `ttlSeconds`, clearing a recorded checkpoint or not.
        public init(ttlSeconds: Int64, clearsCheckpoint: Bool) {
            self.ttlSeconds = ttlSeconds
            self.clearsCheckpoint = clearsCheckpoint
        }
    }

    /// What asking to renew a lease came to.
    public enum RenewOutcome: Sendable, Equatable {
        case renewed(Renewal)
        /// This lessor is not the primary (etcd's `ErrNotPrimary`): ask the leader.
        case notPrimary
        /// The lease does not exist, or expired and awaits its revocation (etcd answers TTL 0).
        case notFound
    }

    private let state = Mutex(State())

    /// etcd revokes at most this many expired leases per second, so a mass expiry cannot flood the log.
    public static let revokeRatePerSecond = 1_000

    /// An empty lessor, not primary.
    public init() {}

    /// A lease was granted (applied from the log).
    public func granted(id: Int64, ttlSeconds: Int64, now: ContinuousClock.Instant) {
        self.state.withLock { state in
            let expiry = state.isPrimary ? now + .seconds(ttlSeconds) : nil
            state.leases[id] = Lease(ttlSeconds: ttlSeconds, remainingSeconds: 0, expiry: expiry)
        }
    }

    /// A lease was revoked (applied from the log).
    public func revoked(id: Int64) {
        self.state.withLock { _ = $0.leases.removeValue(forKey: id) }
    }

    /// The leader checkpointed a lease's remaining TTL (applied from the log); 0 clears the checkpoint.
    public func checkpointed(id: Int64, remainingSeconds: Int64) {
        self.state.withLock { $0.leases[id]?.remainingSeconds = max(0, remainingSeconds) }
    }

    /// Replaces every lease with those a backend holds (at start, or after installing a snapshot);
    /// `remainingSeconds` is the persisted checkpoint, 0 for none.
    public func restore(_ leases: [(id: Int64, ttlSeconds: Int64, remainingSeconds: Int64)], now: ContinuousClock.Instant) {
        self.state.withLock { state in
            state.leases = [:]
            for lease in leases {
                var restored = Lease(ttlSeconds: lease.ttlSeconds, remainingSeconds: lease.remainingSeconds, expiry: nil)
                if state.isPrimary { restored.expiry = now + .seconds(restored.restartSeconds) }
                state.leases[lease.id] = restored
            }
        }
    }

    /// This member became leader: every lease restarts from its remaining TTL plus `extend`.
    public func promote(extend: Duration, now: ContinuousClock.Instant) {
        self.state.withLock { state in
            state.isPrimary = true
            for id in state.leases.keys {
                state.leases[id]!.expiry = now + .seconds(state.leases[id]!.restartSeconds) + extend
            }
        }
    }

    /// This member stopped leading: leases stop expiring here.
    public func demote() {
        self.state.withLock { state in
            state.isPrimary = false
            for id in state.leases.keys { state.leases[id]!.expiry = nil }
        }
    }

    /// Whether this lessor expires and renews leases.
    public var isPrimary: Bool { self.state.withLock { $0.isPrimary } }

    /// Renews a lease on the primary: its full TTL starts again. A checkpoint on record stays until the
    /// log clears it (``checkpointed(id:remainingSeconds:)`` with 0), and until then every renewal asks for
    /// that clearing, so a clearing that failed to commit is tried again.
    public func renew(id: Int64, now: ContinuousClock.Instant) -> RenewOutcome {
        self.state.withLock { state in
            guard state.isPrimary else { return .notPrimary }
            guard var lease = state.leases[id] else { return .notFound }
            if let expiry = lease.expiry, expiry <= now { return .notFound }
            lease.expiry = now + .seconds(lease.ttlSeconds)
            state.leases[id] = lease
            return .renewed(Renewal(ttlSeconds: lease.ttlSeconds, clearsCheckpoint: lease.remainingSeconds > 0))
        }
    }

    /// The granted TTL and the seconds left (rounded up, as etcd reports them); nil for an unknown lease.
    /// Off the primary the seconds left are those a new leader would restart the lease from.
    public func timeToLive(id: Int64, now: ContinuousClock.Instant) -> (granted: Int64, remaining: Int64)? {
        self.state.withLock { state in
            guard let lease = state.leases[id] else { return nil }
            guard let expiry = lease.expiry else { return (lease.ttlSeconds, lease.restartSeconds) }
            let left = expiry - now
            let seconds = left.components.seconds + (left.components.attoseconds > 0 ? 1 : 0)
            return (lease.ttlSeconds, max(0, seconds))
        }
    }

    /// Ids of every lease, ascending.
    public var leaseIDs: [Int64] {
        self.state.withLock { $0.leases.keys.sorted() }
    }

    /// Leases that expired on the primary, oldest expiry first, at most `limit`.
    public func expired(now: ContinuousClock.Instant, limit: Int) -> [Int64] {
        self.state.withLock { state in
            guard state.isPrimary else { return [] }
            return state.leases
                .compactMap { id, lease in lease.expiry.flatMap { $0 <= now ? (id, $0) : nil } }
                .sorted { $0.1 < $1.1 }
                .prefix(limit)
                .map(\.0)
        }
    }

    /// On the primary, the remaining TTL of every live lease whose TTL is longer than `interval` (shorter
    /// ones end or are renewed before the next checkpoint could matter, as in etcd), for a checkpoint.
    public func checkpoints(now: ContinuousClock.Instant, interval: Duration) -> [(id: Int64, remainingSeconds: Int64)] {
        self.state.withLock { state in
            guard state.isPrimary else { return [] }
            return state.leases.compactMap { id, lease in
                guard let expiry = lease.expiry, expiry > now, Duration.seconds(lease.ttlSeconds) > interval else { return nil }
                return (id, max(1, (expiry - now).components.seconds))
            }.sorted { $0.id < $1.id }
        }
    }
}
