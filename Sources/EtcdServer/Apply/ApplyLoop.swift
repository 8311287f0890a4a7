import Foundation
import EtcdProto
import Raft
import Synchronization

/// The member's apply loop: one dedicated thread that owns the state machine and applies committed
/// batches to it in log order, so that the backend's single writer never changes threads. Between batches
/// it runs the state machine's due work (batched backend commits, compaction steps).
///
/// The Raft loop submits batches without waiting, except those that change the configuration, which it
/// applies and waits for. Progress is visible as ``appliedIndex``, and callers can wait for an index with
/// ``waitUntilApplied(_:)`` (linearizable reads wait for their read index this way).
final class ApplyLoop: @unchecked Sendable {
    private enum Job: Sendable {
        case batch(ApplyBatch, reply: (@Sendable ([ConfChange]) -> Void)?)
        case run(@Sendable () -> Void)
    }

    // `stateMachine` is set and used only on the loop's thread; the queue and the notifier are thread-safe.
    private let queue = BlockingQueue<Job>()
    private var stateMachine: (any StateMachine)?
    private let applied: AppliedIndexNotifier
    private let submittedIndex: Atomic<UInt64>
    private let finished = DispatchSemaphore(value: 0)
    private var started = false

    init(appliedIndex: UInt64) {
        self.applied = AppliedIndexNotifier(appliedIndex: appliedIndex)
        self.submittedIndex = Atomic(appliedIndex)
    }

    /// The index of the last entry applied.
    var appliedIndex: UInt64 { self.applied.current }

    /// Entries submitted but not yet applied; the member refuses new proposals when this grows too large.
    var backlog: UInt64 {
        let submitted = self.submittedIndex.load(ordering: .relaxed)
        let applied = self.applied.current
        return submitted > applied ? submitted - applied : 0
    }

    /// Starts the thread and builds the state machine on it (the backend must be opened by its writer's
    /// thread). Returns once it is built; rethrows what building threw, leaving no thread behind.
    func start(_ makeStateMachine: @escaping @Sendable () throws -> any StateMachine) throws {
        let opened = DispatchSemaphore(value: 0)
        let failure = Mutex<(any Error)?>(nil)
        let thread = Thread { [self] in
            Thread.current.name = "apply"
            do {
                self.stateMachine = try makeStateMachine()
            } catch {
                failure.withLock { $0 = error }
                opened.signal()
                return
            }
            opened.signal()
            self.run()
            self.finished.signal()
        }
        thread.stackSize = 4 << 20
        thread.start()
        opened.wait()
        if let error = failure.withLock({ $0 }) { throw error }
        self.started = true
    }

    /// Records the index the state machine had applied before this run (its consistent index).
    func markApplied(_ index: UInt64) {
        self.submittedIndex.store(index, ordering: .relaxed)
        self.applied.advance(to: index)
    }

    /// Applies everything submitted, closes the state machine (committing it), then stops the thread.
    func stop() {
        self.queue.close()
        if self.started { self.finished.wait() }
        self.applied.cancelAll()
    }

    /// Queues a batch; returns at once.
    func submit(_ batch: ApplyBatch) {
        self.submittedIndex.store(batch.lastIndex, ordering: .relaxed)
        self.queue.push(.batch(batch, reply: nil))
    }

    /// Queues a batch and blocks the calling thread (the Raft loop's) until it is applied; returns the
    /// membership changes Raft must apply.
    func applyAndWait(_ batch: ApplyBatch) -> [ConfChange] {
        self.submittedIndex.store(batch.lastIndex, ordering: .relaxed)
        let done = DispatchSemaphore(value: 0)
        let result = Mutex<[ConfChange]>([])
        self.queue.push(.batch(batch) { changes in
            result.withLock { $0 = changes }
            done.signal()
        })
        done.wait()
        return result.withLock { $0 }
    }

    /// Runs `body` on the apply thread, after everything queued before it, and returns its value. Throws
    /// etcd's `server stopped` when the loop has stopped and will run nothing more.
    func perform<T: Sendable>(_ body: @escaping @Sendable () -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let queued = self.queue.push(.run { continuation.resume(returning: body()) })
            if !queued { continuation.resume(throwing: EtcdError.stopped) }
        }
    }

    /// Suspends until the applied index reaches `index`. Throws `CancellationError` if the loop stops first.
    func waitUntilApplied(_ index: UInt64) async throws {
        try await self.applied.wait(for: index)
    }

    private func run() {
        guard let stateMachine = self.stateMachine else { return }
        var wakeUp: ContinuousClock.Instant?
        while let jobs = self.queue.drain(until: wakeUp.map(Self.date)) {
            for job in jobs {
                switch job {
                case .batch(let batch, let reply):
                    let changes = stateMachine.apply(batch)
                    self.applied.advance(to: batch.lastIndex)
                    reply?(changes)
                case .run(let body):
                    body()
                }
            }
            wakeUp = stateMachine.runDueWork(now: .now)
        }
        stateMachine.close()
    }

    private static func date(_ instant: ContinuousClock.Instant) -> Date {
        let remaining = ContinuousClock.now.duration(to: instant)
        let (seconds, attoseconds) = remaining.components
        return Date().addingTimeInterval(Double(seconds) + Double(attoseconds) / 1e18)
    }
}
