import NIOCore
import Synchronization

/// The Raft loop's inbox: any thread pushes inputs, and the loop takes them in batches on its event loop,
/// one batch per turn of that loop. A push from the loop's own thread (a peer's message, read and decoded
/// there) needs no wake-up.
@_spi(Testing) public final class RaftInbox: Sendable {
    private struct Consumer {
        let eventLoop: any EventLoop
        let turn: @Sendable () -> Void
    }

    private struct State {
        var items: [RaftInput] = []
        /// What takes the items; nil until the loop starts.
        var consumer: Consumer?
        /// A turn of the consumer is scheduled and has not taken the items yet.
        var turnScheduled = false
        var closed = false
    }

    private let state = Mutex(State())

    /// An empty inbox that queues inputs until the loop opens it.
    public init() {}

    /// Appends one input and schedules the consumer's turn, unless one is scheduled already. Ignored after
    /// ``close()``, which the result tells.
    @discardableResult
    public func push(_ input: RaftInput) -> Bool {
        let (accepted, wake) = self.state.withLock { state -> (Bool, Consumer?) in
            guard !state.closed else { return (false, nil) }
            state.items.append(input)
            guard let consumer = state.consumer, !state.turnScheduled else { return (true, nil) }
            state.turnScheduled = true
            return (true, consumer)
        }
        if let wake { wake.eventLoop.execute(wake.turn) }
        return accepted
    }

    /// Starts handing inputs to `turn`, which runs on `eventLoop` and calls ``take()``; inputs pushed before
    /// wait for its first run.
    public func open(on eventLoop: any EventLoop, turn: @escaping @Sendable () -> Void) {
        let wake = self.state.withLock { state -> Bool in
            state.consumer = Consumer(eventLoop: eventLoop, turn: turn)
            guard !state.items.isEmpty, !state.turnScheduled else { return false }
            state.turnScheduled = true
            return true
        }
        if wake { eventLoop.execute(turn) }
    }

    /// Everything pushed since the last call, oldest first.
    public func take() -> [RaftInput] {
        self.state.withLock { state in
            state.turnScheduled = false
            defer { state.items = [] }
            return state.items
        }
    }

    /// Stops accepting inputs; what is queued can still be taken.
    public func close() {
        self.state.withLock { $0.closed = true }
    }
}
