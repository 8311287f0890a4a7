import EtcdProto
import Raft
import Synchronization

/// Serves linearizable reads the way etcd does: every read waiting at a moment joins one round, the round
/// asks Raft for one read index (a heartbeat round on the leader confirms it still leads), and each read
/// then waits until the member has applied up to that index. A leader change fails the round with
/// `etcdserver: leader changed`; no answer in time fails it with `etcdserver: request timed out`.
///
/// A round starts from the read that finds none in flight, and the next one from the Raft loop as it
/// confirms the last: no task or timer per round. Reads arriving while a round is in flight wait for the
/// next (the index of the one in flight may predate them). ``run()`` asks again for a round Raft has not
/// answered after `retryInterval` (a message lost, a leader just elected) and fails it after `timeout`.
///
/// While this member leads as the only voter, Raft answers a read index at once with its commit index and
/// no confirmation; the Raft loop publishes that index whenever it changes, and a read takes it from here
/// without a round trip through the Raft thread.
final class ReadIndexCoordinator: Sendable {
    private typealias Reader = CheckedContinuation<UInt64, any Error>

    private struct Round {
        let context: [UInt8]
        let readers: [Reader]
        let started: ContinuousClock.Instant
        var asked: ContinuousClock.Instant
    }

    private struct State {
        /// Reads waiting for the next round.
        var waiting: [Reader] = []
        /// The round Raft has been asked for and has not answered.
        var inFlight: Round?
        var stopped = false

        /// Starts a round for the waiting reads when none is in flight; returns its context to send.
        mutating func startRoundIfIdle(ids: RequestIDGenerator) -> [UInt8]? {
            guard self.inFlight == nil, !self.waiting.isEmpty, !self.stopped else { return nil }
            let context = withUnsafeBytes(of: ids.next().bigEndian) { Array($0) }
            let now = ContinuousClock.now
            self.inFlight = Round(context: context, readers: self.waiting, started: now, asked: now)
            self.waiting = []
            return context
        }

        /// Ends the round in flight; returns its reads and the context of the next round, started for the
        /// reads that arrived meanwhile.
        mutating func endRound(ids: RequestIDGenerator) -> (readers: [Reader], next: [UInt8]?) {
            guard let round = self.inFlight else { return ([], nil) }
            self.inFlight = nil
            return (round.readers, self.startRoundIfIdle(ids: ids))
        }
    }

    private let state = Mutex(State())
    /// ``RawNode/immediateReadIndex`` as the Raft loop last published it; 0 when a read needs a round.
    private let immediateIndex = Atomic<UInt64>(0)
    private let requestIDs: RequestIDGenerator
    private let submit: @Sendable (RaftInput) -> Void
    private let applied: ApplyLoop
    private let timeout: Duration
    private let retryInterval: Duration
    private let slow: @Sendable () -> Void

    /// `submit` hands inputs to the Raft loop. `slow` is told, as etcd counts slow read indexes, of a round
    /// Raft has not answered within `retryInterval` and of an answer to a round already ended.
    init(
        requestIDs: RequestIDGenerator,
        applied: ApplyLoop,
        timeout: Duration,
        retryInterval: Duration = .milliseconds(500),
        slow: @escaping @Sendable () -> Void,
        submit: @escaping @Sendable (RaftInput) -> Void
    ) {
        self.requestIDs = requestIDs
        self.applied = applied
        self.timeout = timeout
        self.retryInterval = retryInterval
        self.slow = slow
        self.submit = submit
    }

    /// Returns once a read on this member's state would see every write committed before the call.
    func waitForLinearizableRead() async throws {
        let immediate = self.immediateIndex.load(ordering: .acquiring)
        if immediate > 0 {
            if self.state.withLock({ $0.stopped }) { throw EtcdError.stopped }
            try await self.applied.waitUntilApplied(immediate)
            return
        }
        let index = try await withCheckedThrowingContinuation { (reader: Reader) in
            let (context, stopped) = self.state.withLock { state in
                if !state.stopped { state.waiting.append(reader) }
                return (state.startRoundIfIdle(ids: self.requestIDs), state.stopped)
            }
            if stopped { reader.resume(throwing: EtcdError.stopped) }
            if let context { self.submit(.readIndex(context: context)) }
        }
        try await self.applied.waitUntilApplied(index)
    }

    /// Asks Raft again for a round it has not answered, and fails one past the timeout, until ``stop()``
    /// or cancellation.
    func run() async {
        let tick = self.retryInterval / 5
        while true {
            do {
                try await Task.sleep(for: tick)
            } catch {
                return  // Cancelled: the member is stopping.
            }
            let now = ContinuousClock.now
            let (again, expired, next, stopped) = self.state.withLock { state -> ([UInt8]?, [Reader], [UInt8]?, Bool) in
                guard !state.stopped else { return (nil, [], nil, true) }
                guard var round = state.inFlight else { return (nil, [], nil, false) }
                if now - round.started >= self.timeout {
                    let (readers, next) = state.endRound(ids: self.requestIDs)
                    return (nil, readers, next, false)
                }
                guard now - round.asked >= self.retryInterval else { return (nil, [], nil, false) }
                round.asked = now
                state.inFlight = round
                return (round.context, [], nil, false)
            }
            if stopped { return }
            if again != nil { self.slow() }
            for reader in expired { reader.resume(throwing: EtcdError.timeout) }
            for context in [again, next].compactMap({ $0 }) { self.submit(.readIndex(context: context)) }
        }
    }

    /// Raft confirmed read indexes (Raft loop); resolves the round in flight if one matches and starts
    /// the next for the reads that arrived meanwhile.
    func confirmed(_ states: [ReadState]) {
        let (outcome, outdated) = self.state.withLock { state -> ((readers: [Reader], index: UInt64, next: [UInt8]?)?, Int) in
            let current = state.inFlight?.context
            let outdated = states.count { $0.context != current }
            guard let round = state.inFlight, let answer = states.last(where: { $0.context == round.context }) else { return (nil, outdated) }
            let (readers, next) = state.endRound(ids: self.requestIDs)
            return ((readers, answer.index, next), outdated)
        }
        for _ in 0..<outdated { self.slow() }
        guard let outcome else { return }
        for reader in outcome.readers { reader.resume(returning: outcome.index) }
        if let next = outcome.next { self.submit(.readIndex(context: next)) }
    }

    /// The Raft loop published the read index Raft would answer without a round, or nil for none.
    func immediateReadIndexChanged(to index: UInt64?) {
        self.immediateIndex.store(index ?? 0, ordering: .releasing)
    }

    /// The leader changed: the round in flight can no longer be trusted.
    func leaderChanged() {
        let (readers, next) = self.state.withLock { $0.endRound(ids: self.requestIDs) }
        for reader in readers { reader.resume(throwing: EtcdError.leaderChanged) }
        if let next { self.submit(.readIndex(context: next)) }
    }

    /// Fails everything waiting; ``run()`` ends at its next tick.
    func stop() {
        let readers = self.state.withLock { state in
            state.stopped = true
            defer {
                state.waiting.removeAll()
                state.inFlight = nil
            }
            return state.waiting + (state.inFlight?.readers ?? [])
        }
        for reader in readers { reader.resume(throwing: EtcdError.stopped) }
    }
}
