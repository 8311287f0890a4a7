import Foundation

/// The thread of the watch catch-up loop: runs a round when woken, and every `interval` regardless
/// (a round with nothing to do costs one lock).
final class WatchSyncer: @unchecked Sendable {
    private let condition = NSCondition()
    private var signaled = false
    private var stopped = false
    private var running = false

    /// Starts the thread; `round` returns true when it wants to run again at once.
    func start(interval: Duration, round: @escaping @Sendable () -> Bool) {
        let seconds = Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18
        running = true
        let thread = Thread { [self] in
            Thread.current.name = "mvcc-watch-sync"
            while self.waitForWork(timeout: seconds) {
                while round() && !self.isStopped {}
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
