import Synchronization

/// Leases' clocks: when each lease expires. Only the leader's clock counts — it renews leases on
/// keep-alive and revokes them when they expire; followers track leases without expiring them, and the
/// member that becomes leader restarts every lease from its last checkpointed remaining TTL (plus the
/// election timeout), so a lease neither dies early nor lives forever across leader changes.
///
/// Thread-safe. Time is passed in (`now`), so tests drive it without sleeping.
final class Lessor: Sendable {
    private struct Lease {
        var ttlSeconds: Int64
        /// The TTL left when it was last checkpointed (or granted): what a new leader restarts from.
        var remainingSeconds: Int64
        /// When it expires; nil while this member is not the leader.
        var expiry: ContinuousClock.Instant?
    }

    private struct State {
        var leases: [Int64: Lease] = [:]
        var isPrimary = false
    }

    private let state = Mutex(State())

    /// etcd revokes at most this many expired leases per second, so a mass expiry cannot flood the log.
    static let revokeRatePerSecond = 1_000

    /// A lease was granted (applied from the log).
    func granted(id: Int64, ttlSeconds: Int64, now: ContinuousClock.Instant) {
        self.state.withLock { state in
            let expiry = state.isPrimary ? now + .seconds(ttlSeconds) : nil
            state.leases[id] = Lease(ttlSeconds: ttlSeconds, remainingSeconds: ttlSeconds, expiry: expiry)
        }
    }

    /// A lease was revoked (applied from the log).
    func revoked(id: Int64) {
        self.state.withLock { _ = $0.leases.removeValue(forKey: id) }
    }

    /// The leader checkpointed a lease's remaining TTL (applied from the log).
    func checkpointed(id: Int64, remainingSeconds: Int64) {
        self.state.withLock { $0.leases[id]?.remainingSeconds = remainingSeconds }
    }

    /// Loads the leases the backend holds on start.
    func restore(_ leases: [(id: Int64, ttlSeconds: Int64, remainingSeconds: Int64)]) {
        self.state.withLock { state in
            for lease in leases {
                state.leases[lease.id] = Lease(ttlSeconds: lease.ttlSeconds, remainingSeconds: lease.remainingSeconds, expiry: nil)
            }
        }
    }

    /// This member became leader: every lease restarts from its remaining TTL plus `extend`.
    func promote(extend: Duration, now: ContinuousClock.Instant) {
        self.state.withLock { state in
            state.isPrimary = true
            for id in state.leases.keys {
                let remaining = state.leases[id]!.remainingSeconds
                state.leases[id]!.expiry = now + .seconds(remaining) + extend
            }
        }
    }

    /// This member stopped leading: leases stop expiring here.
    func demote() {
        self.state.withLock { state in
            state.isPrimary = false
            for id in state.leases.keys { state.leases[id]!.expiry = nil }
        }
    }

    var isPrimary: Bool { self.state.withLock { $0.isPrimary } }

    /// Renews a lease on the leader: its full TTL starts again. Returns the TTL, or nil if the lease is
    /// unknown (or already expired and awaiting revocation).
    func renew(id: Int64, now: ContinuousClock.Instant) -> Int64? {
        self.state.withLock { state in
            guard state.isPrimary, var lease = state.leases[id] else { return nil }
            if let expiry = lease.expiry, expiry <= now { return nil }
            lease.expiry = now + .seconds(lease.ttlSeconds)
            lease.remainingSeconds = lease.ttlSeconds
            state.leases[id] = lease
            return lease.ttlSeconds
        }
    }

    /// The granted TTL and the seconds left (rounded up, as etcd reports them); nil for an unknown lease.
    /// On a follower the seconds left are the last checkpoint's.
    func timeToLive(id: Int64, now: ContinuousClock.Instant) -> (granted: Int64, remaining: Int64)? {
        self.state.withLock { state in
            guard let lease = state.leases[id] else { return nil }
            guard let expiry = lease.expiry else { return (lease.ttlSeconds, lease.remainingSeconds) }
            let left = expiry - now
            let seconds = left.components.seconds + (left.components.attoseconds > 0 ? 1 : 0)
            return (lease.ttlSeconds, max(0, seconds))
        }
    }

    /// Ids of every lease, ascending.
    var leaseIDs: [Int64] {
        self.state.withLock { $0.leases.keys.sorted() }
    }

    /// Leases that expired on the leader, oldest expiry first, at most `limit`.
    func expired(now: ContinuousClock.Instant, limit: Int) -> [Int64] {
        self.state.withLock { state in
            guard state.isPrimary else { return [] }
            return state.leases
                .compactMap { id, lease in lease.expiry.flatMap { $0 <= now ? (id, $0) : nil } }
                .sorted { $0.1 < $1.1 }
                .prefix(limit)
                .map(\.0)
        }
    }

    /// The remaining TTL of every lease on the leader, for a checkpoint proposal.
    func remainingTTLs(now: ContinuousClock.Instant) -> [(id: Int64, remainingSeconds: Int64)] {
        self.state.withLock { state in
            guard state.isPrimary else { return [] }
            return state.leases.compactMap { id, lease in
                guard let expiry = lease.expiry, expiry > now else { return nil }
                return (id, max(1, (expiry - now).components.seconds))
            }.sorted { $0.id < $1.id }
        }
    }
}
