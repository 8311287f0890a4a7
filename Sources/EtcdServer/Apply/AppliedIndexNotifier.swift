import Synchronization

/// The applied index, and the callers waiting for it to reach theirs.
final class AppliedIndexNotifier: Sendable {
    private struct State {
        var applied: UInt64
        var waiters: [(index: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
        var cancelled = false
    }

    private let state: Mutex<State>
    private let appliedValue: Atomic<UInt64>

    init(appliedIndex: UInt64) {
        self.state = Mutex(State(applied: appliedIndex))
        self.appliedValue = Atomic(appliedIndex)
    }

    /// The last applied index; cheap to read from any thread.
    var current: UInt64 { self.appliedValue.load(ordering: .acquiring) }

    /// Records progress and resumes every caller whose index is reached.
    func advance(to index: UInt64) {
        let ready: [CheckedContinuation<Void, any Error>] = self.state.withLock { state in
            guard index > state.applied else { return [] }
            state.applied = index
            self.appliedValue.store(index, ordering: .releasing)
            var ready: [CheckedContinuation<Void, any Error>] = []
            state.waiters.removeAll { waiter in
                guard waiter.index <= index else { return false }
                ready.append(waiter.continuation)
                return true
            }
            return ready
        }
        for continuation in ready { continuation.resume() }
    }

    /// Returns once the applied index is at least `index`.
    func wait(for index: UInt64) async throws {
        if self.current >= index { return }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let immediate: (any Error)?? = self.state.withLock { state in
                if state.cancelled { return .some(CancellationError()) }
                if state.applied >= index { return .some(nil) }
                state.waiters.append((index, continuation))
                return .none
            }
            switch immediate {
            case .some(.some(let error)): continuation.resume(throwing: error)
            case .some(.none): continuation.resume()
            case .none: break
            }
        }
    }

    /// Fails every waiter; later waits fail at once.
    func cancelAll() {
        let waiters = self.state.withLock { state in
            state.cancelled = true
            defer { state.waiters.removeAll() }
            return state.waiters.map(\.continuation)
        }
        for continuation in waiters { continuation.resume(throwing: CancellationError()) }
    }
}
