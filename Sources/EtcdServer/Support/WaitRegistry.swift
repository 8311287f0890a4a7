import EtcdProto
import Synchronization

/// Callers waiting for their proposals to be applied, by request id. The apply loop completes them in log
/// order; a waiter past its deadline is failed by ``expire(before:with:)``, which the owner calls
/// periodically (one timer for all waiters rather than one per proposal). Completing an unknown id is a
/// no-op: another member proposed it, or its caller left.
final class WaitRegistry<Result: Sendable>: Sendable {
    private struct Waiter {
        let continuation: CheckedContinuation<Result, any Error>
        let deadline: ContinuousClock.Instant
    }

    private let waiters = Mutex<[UInt64: Waiter]>([:])

    /// Suspends until ``complete(_:with:)`` or ``fail(_:with:)`` for `id`, or until an expiry after
    /// `deadline`. `register` runs once the waiter is in place (so the proposal cannot be applied before
    /// anyone listens).
    func wait(for id: UInt64, deadline: ContinuousClock.Instant, register: () -> Void) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            self.waiters.withLock { $0[id] = Waiter(continuation: continuation, deadline: deadline) }
            register()
        }
    }

    func complete(_ id: UInt64, with result: Result) {
        self.waiters.withLock { $0.removeValue(forKey: id) }?.continuation.resume(returning: result)
    }

    func fail(_ id: UInt64, with error: any Error) {
        self.waiters.withLock { $0.removeValue(forKey: id) }?.continuation.resume(throwing: error)
    }

    /// Fails every waiter whose deadline is before `now` with `error`.
    func expire(before now: ContinuousClock.Instant, with error: any Error) {
        let expired = self.waiters.withLock { waiters -> [Waiter] in
            let ids = waiters.compactMap { $0.value.deadline < now ? $0.key : nil }
            return ids.compactMap { waiters.removeValue(forKey: $0) }
        }
        for waiter in expired { waiter.continuation.resume(throwing: error) }
    }

    /// Fails every waiter, e.g. when the member stops.
    func failAll(with error: any Error) {
        let all = self.waiters.withLock { waiters in
            defer { waiters.removeAll() }
            return Array(waiters.values)
        }
        for waiter in all { waiter.continuation.resume(throwing: error) }
    }

    /// How many callers are waiting (etcd_server_proposals_pending).
    var count: Int {
        self.waiters.withLock { $0.count }
    }
}
