import EtcdProto
import Raft
import Synchronization

/// Serves linearizable reads the way etcd does: every read waiting at a moment joins one batch, the batch
/// asks Raft for one read index (a heartbeat round on the leader confirms it still leads), waits until the
/// member has applied up to it, and releases all its reads together. A leader change fails the batch with
/// `etcdserver: leader changed`; no answer in time fails it with `etcdserver: request timed out`.
final class ReadIndexCoordinator: Sendable {
    private struct State {
        /// Reads waiting for the next round.
        var waiting: [CheckedContinuation<Void, any Error>] = []
        /// The context of the round in flight and its answer channel.
        var inFlight: (context: [UInt8], continuation: CheckedContinuation<UInt64, any Error>)?
        var stopped = false
    }

    private let state = Mutex(State())
    private let wakeups: AsyncStream<Void>
    private let wakeup: AsyncStream<Void>.Continuation
    private let requestIDs: RequestIDGenerator
    private let submit: @Sendable (RaftInput) -> Void
    private let applied: ApplyLoop
    private let timeout: Duration
    private let retryInterval: Duration

    /// `submit` hands inputs to the Raft loop.
    init(
        requestIDs: RequestIDGenerator,
        applied: ApplyLoop,
        timeout: Duration,
        retryInterval: Duration = .milliseconds(500),
        submit: @escaping @Sendable (RaftInput) -> Void
    ) {
        self.requestIDs = requestIDs
        self.applied = applied
        self.timeout = timeout
        self.retryInterval = retryInterval
        self.submit = submit
        (self.wakeups, self.wakeup) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Returns once a read on this member's state would see every write committed before the call.
    func waitForLinearizableRead() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let stopped = self.state.withLock { state in
                if !state.stopped { state.waiting.append(continuation) }
                return state.stopped
            }
            if stopped {
                continuation.resume(throwing: EtcdError.stopped)
            } else {
                self.wakeup.yield()
            }
        }
    }

    /// Runs rounds until ``stop()``.
    func run() async {
        for await _ in self.wakeups {
            let batch = self.state.withLock { state in
                defer { state.waiting.removeAll() }
                return state.waiting
            }
            guard !batch.isEmpty else { continue }
            do {
                let index = try await self.confirmedIndex()
                try await self.applied.waitUntilApplied(index)
                for read in batch { read.resume() }
            } catch {
                for read in batch { read.resume(throwing: error) }
            }
        }
    }

    /// Raft confirmed read indexes; resolves the round in flight if one matches.
    func confirmed(_ states: [ReadState]) {
        let match: (CheckedContinuation<UInt64, any Error>, UInt64)? = self.state.withLock { state in
            guard let inFlight = state.inFlight,
                let answer = states.last(where: { $0.context == inFlight.context })
            else { return nil }
            state.inFlight = nil
            return (inFlight.continuation, answer.index)
        }
        if let (continuation, index) = match { continuation.resume(returning: index) }
    }

    /// The leader changed: the round in flight can no longer be trusted.
    func leaderChanged() {
        self.failInFlight(with: EtcdError.leaderChanged)
    }

    /// Fails everything waiting and ends ``run()``.
    func stop() {
        let (waiting, inFlight) = self.state.withLock { state in
            state.stopped = true
            defer {
                state.waiting.removeAll()
                state.inFlight = nil
            }
            return (state.waiting, state.inFlight)
        }
        for read in waiting { read.resume(throwing: EtcdError.stopped) }
        inFlight?.continuation.resume(throwing: EtcdError.stopped)
        self.wakeup.finish()
    }

    private func failInFlight(with error: EtcdError) {
        let inFlight = self.state.withLock { state in
            defer { state.inFlight = nil }
            return state.inFlight
        }
        inFlight?.continuation.resume(throwing: error)
    }

    /// Asks Raft for a read index, repeating the request if the answer is slow, until the timeout.
    private func confirmedIndex() async throws -> UInt64 {
        let id = self.requestIDs.next()
        let context = withUnsafeBytes(of: id.bigEndian) { Array($0) }
        return try await withThrowingTaskGroup(of: UInt64?.self) { group in
            group.addTask {
                try await withCheckedThrowingContinuation { continuation in
                    let stopped = self.state.withLock { state in
                        if !state.stopped { state.inFlight = (context, continuation) }
                        return state.stopped
                    }
                    if stopped { continuation.resume(throwing: EtcdError.stopped) }
                    self.submit(.readIndex(context: context))
                }
            }
            group.addTask {
                var waited: Duration = .zero
                while waited < self.timeout {
                    try await Task.sleep(for: self.retryInterval)
                    waited += self.retryInterval
                    if waited < self.timeout { self.submit(.readIndex(context: context)) }
                }
                self.failInFlight(with: EtcdError.timeout)
                return nil
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let index = result { return index }
            }
            throw EtcdError.timeout
        }
    }
}
