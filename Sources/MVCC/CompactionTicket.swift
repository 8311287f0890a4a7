import Synchronization

/// Completion of one compaction's physical work (etcd's `physc` channel): the key index compacted and
/// the compacted revisions deleted from the key database and committed.
///
/// Thread-safe; any number of waiters.
public final class CompactionTicket: Sendable {
    private struct State {
        var outcome: Bool?
        var waiters: [CheckedContinuation<Bool, Never>] = []
    }

    private let state = Mutex(State())

    init() {}

    /// A ticket that is already done.
    static func completed() -> CompactionTicket {
        let ticket = CompactionTicket()
        ticket.finish(completed: true)
        return ticket
    }

    /// True once the compaction finished or was abandoned.
    public var isFinished: Bool {
        state.withLock { $0.outcome != nil }
    }

    /// Waits until the compaction finished (true) or was abandoned because the store closed (false).
    public func wait() async -> Bool {
        await withCheckedContinuation { continuation in
            let outcome = state.withLock { state -> Bool? in
                if state.outcome == nil {
                    state.waiters.append(continuation)
                }
                return state.outcome
            }
            if let outcome {
                continuation.resume(returning: outcome)
            }
        }
    }

    func finish(completed: Bool) {
        let waiters = state.withLock { state -> [CheckedContinuation<Bool, Never>] in
            guard state.outcome == nil else { return [] }
            state.outcome = completed
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters {
            waiter.resume(returning: completed)
        }
    }
}

/// A scheduled compaction in progress: first the key index, then the key database.
final class CompactionJob {
    enum Phase {
        /// Compacting the key index; the next key to compact.
        case index(next: [UInt8])
        /// Deleting compacted revisions; the next revision key to look at.
        case physical(next: [UInt8])
    }

    let revision: Int64
    let ticket: CompactionTicket
    var phase: Phase = .index(next: [])
    /// When the first step of the physical phase began.
    var physicalStarted: ContinuousClock.Instant?

    init(revision: Int64, ticket: CompactionTicket) {
        self.revision = revision
        self.ticket = ticket
    }
}

/// What one step of a compaction did, for etcd's compaction metrics. Each step runs between applied
/// entries and holds writes up while it runs: its duration is a pause.
public enum CompactionStep: Sendable {
    /// A step through the key index.
    case index(pause: Duration)
    /// A step through the key database that deleted `deleted` revisions the index no longer holds.
    case database(pause: Duration, deleted: Int)
    /// The compaction finished; its database phase took `databaseTotal` from its first step.
    case finished(databaseTotal: Duration)
}
