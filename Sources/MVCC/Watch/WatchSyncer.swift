import Foundation

/// What a catch-up round leaves for the next.
enum WatchSyncOutcome {
    /// Nothing to do until a wake-up or the next tick.
    case idle
    /// Watchers that can take more now (history beyond one window, the per-round limit, a compaction
    /// meanwhile): run again at once.
    case again
    /// Watchers left behind a full stream: serve them again after a tick, so that what they missed
    /// meanwhile goes out in one response each instead of a trickle of small ones.
    case blocked
}

/// The thread of the watch catch-up loop: runs a round when woken, and every `interval` regardless
/// (a round with nothing to do costs one lock). After a round that found streams full it pauses for one
/// `interval` before a wake-up counts again, as etcd's slow watchers wait for its next 100 ms sync: a
/// consumer that frees room one response at a time would otherwise pull one small catch-up after another,
/// each a response to encode, send and decode.
final class WatchSyncer: @unchecked Sendable {
    private let condition = NSCondition()
    private var signaled = false
    private var stopped = false
    private var running = false

    /// Starts the thread running `round`.
    func start(interval: Duration, round: @escaping @Sendable () -> WatchSyncOutcome) {
        let seconds = Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18
        running = true
        let thread = Thread { [self] in
            Thread.current.name = "mvcc-watch-sync"
            while self.waitForWork(timeout: seconds) {
                var outcome = round()
                while outcome == .again && !self.isStopped {
                    outcome = round()
                }
                if outcome == .blocked {
                    self.pause(seconds)
                }
            }
            self.condition.lock()
            self.running = false
            self.condition.broadcast()
            self.condition.unlock()
        }
        thread.start()
    }

    /// Asks for a round soon.
    func wake() {
        condition.lock()
        signaled = true
        condition.signal()
        condition.unlock()
    }

    /// Stops the thread and waits for its current round to end.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        while running {
            condition.wait()
        }
        condition.unlock()
    }

    private var isStopped: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopped
    }

    /// Sleeps for `seconds` unless stopped; a wake-up meanwhile is kept for the next wait.
    private func pause(_ seconds: Double) {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: seconds)
        while !stopped && condition.wait(until: deadline) {}
    }

    /// Waits for a wake-up or the timeout; false once stopped.
    private func waitForWork(timeout: Double) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if !signaled && !stopped {
            _ = condition.wait(until: Date(timeIntervalSinceNow: timeout))
        }
        signaled = false
        return !stopped
    }
}
