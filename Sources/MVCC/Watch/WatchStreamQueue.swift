import EtcdProto
import Synchronization

/// The buffer and watch registry of one `WatchStream`: the ordered responses waiting for the consumer,
/// their accounting against the stream's capacities, the waiting consumer and waiting requests, and
/// the stream's watchers by ID.
///
/// Thread-safe. The hub calls the producing side under its own lock (hub lock, then this one); the
/// consumer side takes only this lock.
final class WatchStreamQueue: Sendable {
    struct Queued {
        var response: WatchResponse
        var countsAsEvent: Bool
        var needsPreviousValues: Bool
    }

    private struct State {
        var queue: [Queued] = []
        var head = 0
        var eventResponses = 0
        var controlResponses = 0
        var consumer: CheckedContinuation<Queued?, Never>?
        var consumerCancelled = false
        var iterating = false
        var controlWaiters: [CheckedContinuation<Bool, Never>] = []
        var watchers: [Int64: Watcher] = [:]
        var nextWatchID: Int64 = 0
        var closed = false
        var progressDeferred = false
        var refusedEvents = false
        let statistics: KVStatistics

        var isEmpty: Bool { head == queue.count }

        mutating func pop() -> Queued {
            let item = queue[head]
            head += 1
            if head > 64, head * 2 > queue.count {
                queue.removeFirst(head)
                head = 0
            }
            return item
        }

        /// Takes the oldest queued response and settles its accounting: whether an event response was
        /// refused meanwhile (the hub should try again), and the request waiting for control room, if any.
        mutating func take() -> (item: Queued, roomFreed: Bool, waiter: CheckedContinuation<Bool, Never>?) {
            let item = pop()
            statistics.countEventsSent(item.response.events.count, queued: true)
            if item.countsAsEvent {
                eventResponses -= 1
                defer { refusedEvents = false }
                return (item, refusedEvents, nil)
            }
            controlResponses -= 1
            return (item, false, controlWaiters.isEmpty ? nil : controlWaiters.removeFirst())
        }
    }

    /// Event responses buffered at most.
    let capacity: Int
    private let state: Mutex<State>
    /// Called when the consumer freed room after an event response was refused.
    private let roomFreed: @Sendable () -> Void

    /// A queue of at most `capacity` event responses, counting its events in `statistics`.
    init(capacity: Int, statistics: KVStatistics, roomFreed: @escaping @Sendable () -> Void) {
        precondition(capacity > 0, "a watch stream needs room for at least one response")
        self.capacity = capacity
        self.state = Mutex(State(statistics: statistics))
        self.roomFreed = roomFreed
    }

    /// Marks the start of the single iteration; false when one already started.
    func beginIteration() -> Bool {
        state.withLock { state -> Bool in
            defer { state.iterating = true }
            return !state.iterating
        }
    }

    // MARK: Producer side (the hub, under its lock).

    /// Queues an event or per-watch progress response if the buffer has room.
    func enqueueEvent(_ response: WatchResponse, previousValues: Bool) -> Bool {
        let (accepted, handOver) = state.withLock { state -> (Bool, HandOver?) in
            guard !state.closed else { return (true, nil) }
            guard state.eventResponses < capacity else {
                state.refusedEvents = true
                return (false, nil)
            }
            return (true, Self.deliver(Queued(response: response, countsAsEvent: true, needsPreviousValues: previousValues), &state))
        }
        handOver?.resume()
        return accepted
    }

    /// Queues an acknowledgement regardless of the buffer (requests wait for room before asking).
    func enqueueControl(_ response: WatchResponse) {
        let handOver = state.withLock { state -> HandOver? in
            guard !state.closed else { return nil }
            return Self.deliver(Queued(response: response, countsAsEvent: false, needsPreviousValues: false), &state)
        }
        handOver?.resume()
    }

    /// True when an event response would fit now.
    var hasEventRoom: Bool {
        state.withLock { $0.eventResponses < capacity }
    }

    /// True when an event response would fit; otherwise the consumer calls `roomFreed` once it has taken
    /// one (as after a refused event response).
    func hasEventRoomElseAskForWake() -> Bool {
        state.withLock { state in
            guard state.eventResponses >= capacity else { return true }
            state.refusedEvents = true
            return false
        }
    }

    /// Picks the ID for a new watch: `requested`, or the lowest free one from the stream's counter.
    func assignID(_ requested: Int64) throws(KVError) -> Int64 {
        try state.withLock { state throws(KVError) -> Int64 in
            if state.closed {
                throw .closed
            }
            if requested != 0 {
                guard state.watchers[requested] == nil else { throw .duplicateWatchID }
                return requested
            }
            while state.watchers[state.nextWatchID] != nil {
                state.nextWatchID += 1
            }
            defer { state.nextWatchID += 1 }
            return state.nextWatchID
        }
    }

    func add(_ watcher: Watcher) {
        state.withLock { $0.watchers[watcher.id] = watcher }
    }

    func watcher(_ id: Int64) -> Watcher? {
        state.withLock { $0.watchers[id] }
    }

    var watchers: [Watcher] {
        state.withLock { Array($0.watchers.values) }
    }

    /// Forgets watch `id`; with `dropQueued`, also its undelivered event responses.
    func remove(_ id: Int64, dropQueued: Bool) {
        state.withLock { state in
            state.watchers[id] = nil
            guard dropQueued else { return }
            var kept: [Queued] = []
            for item in state.queue[state.head...] {
                if item.countsAsEvent, item.response.watchID == id {
                    state.eventResponses -= 1
                    state.statistics.countEventsDropped(item.response.events.count)
                } else {
                    kept.append(item)
                }
            }
            state.queue = kept
            state.head = 0
        }
    }

    /// Marks (or clears) a stream-wide progress request waiting for every watch to be synced.
    var progressDeferred: Bool {
        get { state.withLock { $0.progressDeferred } }
        set { state.withLock { $0.progressDeferred = newValue } }
    }

    /// Ends the stream; returns its watchers for the hub to forget.
    func markClosed() -> [Watcher] {
        let (watchers, consumer, waiters) = state.withLock { state in
            state.closed = true
            let watchers = Array(state.watchers.values)
            state.watchers.removeAll()
            state.statistics.countEventsDropped(state.queue[state.head...].reduce(0) { $0 + $1.response.events.count })
            state.queue.removeAll()
            state.head = 0
            let consumer = state.consumer
            state.consumer = nil
            let waiters = state.controlWaiters
            state.controlWaiters.removeAll()
            return (watchers, consumer, waiters)
        }
        consumer?.resume(returning: nil)
        for waiter in waiters {
            waiter.resume(returning: false)
        }
        return watchers
    }

    // MARK: Consumer side.

    /// A response for the consumer that was waiting, to be handed over once the lock is released: resuming
    /// a task takes its status lock, which a thread cancelling that task holds while its cancellation
    /// handler waits for this queue's lock.
    private struct HandOver {
        let consumer: CheckedContinuation<Queued?, Never>
        let item: Queued

        func resume() {
            consumer.resume(returning: item)
        }
    }

    /// Takes `item` for the waiting consumer (returned, for the caller to resume after unlocking), or
    /// queues it.
    private static func deliver(_ item: Queued, _ state: inout State) -> HandOver? {
        if let consumer = state.consumer {
            state.consumer = nil
            state.statistics.countEventsSent(item.response.events.count, queued: false)
            return HandOver(consumer: consumer, item: item)
        }
        state.statistics.countEventsQueued(item.response.events.count)
        state.queue.append(item)
        if item.countsAsEvent {
            state.eventResponses += 1
        } else {
            state.controlResponses += 1
        }
        return nil
    }

    func dequeue() async -> Queued? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let outcome = state.withLock { state -> (ready: Bool, item: Queued?, wake: Bool, waiter: CheckedContinuation<Bool, Never>?) in
                    if !state.isEmpty {
                        let (item, wake, waiter) = state.take()
                        return (true, item, wake, waiter)
                    }
                    if state.closed || state.consumerCancelled {
                        return (true, nil, false, nil)
                    }
                    state.consumer = continuation
                    return (false, nil, false, nil)
                }
                if outcome.ready {
                    continuation.resume(returning: outcome.item)
                }
                if outcome.wake {
                    roomFreed()
                }
                outcome.waiter?.resume(returning: true)
            }
        } onCancel: {
            let consumer = state.withLock { state -> CheckedContinuation<Queued?, Never>? in
                state.consumerCancelled = true
                defer { state.consumer = nil }
                return state.consumer
            }
            consumer?.resume(returning: nil)
        }
    }

    /// Takes up to `limit` responses already queued, without waiting (the consumer drains what one
    /// revision queued for many watchers in one go).
    func dequeueQueued(limit: Int) -> [Queued] {
        let (items, wake, waiters) = state.withLock { state -> ([Queued], Bool, [CheckedContinuation<Bool, Never>]) in
            var items: [Queued] = []
            var wake = false
            var waiters: [CheckedContinuation<Bool, Never>] = []
            while items.count < limit, !state.isEmpty {
                let (item, freed, waiter) = state.take()
                items.append(item)
                wake = wake || freed
                if let waiter { waiters.append(waiter) }
            }
            return (items, wake, waiters)
        }
        if wake {
            roomFreed()
        }
        for waiter in waiters { waiter.resume(returning: true) }
        return items
    }

    /// Waits while `WatchStream.controlCapacity` acknowledgements are unread; throws `closed` once closed.
    func waitForControlRoom() async throws(KVError) {
        while true {
            let proceed: Bool? = state.withLock { state in
                if state.closed {
                    return false
                }
                return state.controlResponses < WatchStream.controlCapacity ? true : nil
            }
            switch proceed {
            case true?:
                return
            case false?:
                throw .closed
            case nil:
                let open = await withCheckedContinuation { continuation in
                    let immediate: Bool? = state.withLock { state in
                        if state.closed {
                            return false
                        }
                        if state.controlResponses < WatchStream.controlCapacity {
                            return true
                        }
                        state.controlWaiters.append(continuation)
                        return nil
                    }
                    if let immediate {
                        continuation.resume(returning: immediate)
                    }
                }
                if !open {
                    throw .closed
                }
            }
        }
    }
}
