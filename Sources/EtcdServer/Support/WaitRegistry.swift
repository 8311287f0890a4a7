import EtcdProto
import Synchronization

/// Callers waiting for their proposals to be applied, by request id. The apply loop completes them in log
/// order; a waiter past its deadline is failed by ``expire(before:with:)``, which the owner calls
/// periodically (one timer for all waiters rather than one per proposal). Completing an unknown id is a
/// no-op: another member proposed it, or its caller left. Once ``failAll(with:)`` has run, new waits fail
/// at once.
@_spi(Testing) public final class WaitRegistry<Result: Sendable>: Sendable {
    private struct Waiter {
        let continuation: CheckedContinuation<Result, any Error>
        let deadline: ContinuousClock.Instant
    }

    private struct State {
        var waiters: [UInt64: Waiter] = [:]
        /// The error of ``failAll(with:)``, which later waits fail with (the member has stopped).
        var closedWith: (any Error)?
    }

    private let state = Mutex(State())

    /// An empty registry.
    public init() {}

    /// Suspends until ``complete(_:with:)`` or ``fail(_:with:)`` for `id`, until an expiry after
    /// `deadline`, or until the waiting task is cancelled (`CancellationError`; what was proposed may still
    /// be applied). `register` runs once the waiter is in place (so the proposal cannot be applied before
    /// anyone listens).
    public func wait(for id: UInt64, deadline: ContinuousClock.Instant, register: () -> Void) async throws -> Result {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let refusal = self.state.withLock { state -> (any Error)? in
                    if let error = state.closedWith { return error }
                    // Ids are unique per member (etcd's generator); a second waiter would silently steal the
                    // first one's result, so a duplicate is a bug to stop on.
                    precondition(state.waiters[id] == nil, "two proposals wait for request id \(id)")
                    state.waiters[id] = Waiter(continuation: continuation, deadline: deadline)
                    return nil
                }
                if let refusal {
                    continuation.resume(throwing: refusal)
                } else if Task.isCancelled {
                    // Cancelled before the waiter was in place: the handler found nothing to fail.
                    self.fail(id, with: CancellationError())
                } else {
                    register()
                }
            }
        } onCancel: {
            self.fail(id, with: CancellationError())
        }
    }

    /// Resumes the waiter for `id` with `result`; nothing when no one waits for it.
    public func complete(_ id: UInt64, with result: Result) {
        self.state.withLock { $0.waiters.removeValue(forKey: id) }?.continuation.resume(returning: result)
    }

    /// Resumes the waiter for `id` with `error`; nothing when no one waits for it.
    public func fail(_ id: UInt64, with error: any Error) {
        self.state.withLock { $0.waiters.removeValue(forKey: id) }?.continuation.resume(throwing: error)
    }

    /// Fails every waiter whose deadline is before `now` with `error`.
    public func expire(before now: ContinuousClock.Instant, with error: any Error) {
        let expired = self.state.withLock { state -> [Waiter] in
            let ids = state.waiters.compactMap { $0.value.deadline < now ? $0.key : nil }
            return ids.compactMap { state.waiters.removeValue(forKey: $0) }
        }
        for waiter in expired { waiter.continuation.resume(throwing: error) }
    }

    /// Fails every waiter and every later wait, e.g. when the member stops.
    public func failAll(with error: any Error) {
        let all = self.state.withLock { state in
            defer { state.waiters.removeAll() }
            state.closedWith = error
            return Array(state.waiters.values)
        }
        for waiter in all { waiter.continuation.resume(throwing: error) }
    }

    /// How many callers are waiting (etcd_server_proposals_pending).
    public var count: Int {
        self.state.withLock { $0.waiters.count }
    }
}
