import EtcdProto
import Synchronization

/// Callers waiting for their proposals to be applied, by request id. The apply loop completes them in log
/// order; a caller that gives up (timeout, cancellation) removes itself. Completing an unknown id is a no-op:
/// another member proposed it, or its caller left.
final class WaitRegistry<Result: Sendable>: Sendable {
    private let waiters = Mutex<[UInt64: CheckedContinuation<Result, any Error>]>([:])

    /// Suspends until ``complete(_:with:)`` or ``fail(_:with:)`` for `id`. `register` runs once the waiter
    /// is in place (so the proposal cannot be applied before anyone listens).
    func wait(for id: UInt64, register: () -> Void) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            self.waiters.withLock { $0[id] = continuation }
            register()
        }
    }

    func complete(_ id: UInt64, with result: Result) {
        self.waiters.withLock { $0.removeValue(forKey: id) }?.resume(returning: result)
    }

    func fail(_ id: UInt64, with error: any Error) {
        self.waiters.withLock { $0.removeValue(forKey: id) }?.resume(throwing: error)
    }

    /// Fails every waiter, e.g. when the member stops.
    func failAll(with error: any Error) {
        let all = self.waiters.withLock { waiters in
            defer { waiters.removeAll() }
            return Array(waiters.values)
        }
        for continuation in all { continuation.resume(throwing: error) }
    }

    /// How many callers are waiting (etcd_server_proposals_pending).
    var count: Int {
        self.waiters.withLock { $0.count }
    }
}
