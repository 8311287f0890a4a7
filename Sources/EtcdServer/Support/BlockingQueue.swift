import Foundation

/// A queue that one dedicated thread drains and any thread fills: the inbox of the Raft loop and of the
/// apply loop. ``drain(until:)`` blocks the consumer until something arrives or a deadline passes.
/// Unbounded by itself; producers bound what they put in (proposals are limited before they get here).
final class BlockingQueue<Element: Sendable>: @unchecked Sendable {
    // The condition's lock guards `items` and `closed`; no other state is shared.
    private let condition = NSCondition()
    private var items: [Element] = []
    private var closed = false

    /// Appends one element and wakes the consumer. Ignored after ``close()``, which the result tells.
    @discardableResult
    func push(_ element: Element) -> Bool {
        self.condition.lock()
        guard !self.closed else {
            self.condition.unlock()
            return false
        }
        self.items.append(element)
        self.condition.unlock()
        // Signalled after unlocking, so the consumer does not wake only to block on the lock still held here.
        self.condition.signal()
        return true
    }

    /// Takes everything queued, waiting until there is something or `deadline` passes (then returns what
    /// is there, possibly nothing). Returns nil once the queue is closed and empty.
    func drain(until deadline: Date?) -> [Element]? {
        self.condition.lock()
        defer { self.condition.unlock() }
        while self.items.isEmpty && !self.closed {
            if let deadline {
                if !self.condition.wait(until: deadline) { break }
            } else {
                self.condition.wait()
            }
        }
        if self.items.isEmpty && self.closed { return nil }
        defer { self.items.removeAll(keepingCapacity: true) }
        return self.items
    }

    /// Stops accepting elements; the consumer gets what is left, then nil.
    func close() {
        self.condition.lock()
        defer { self.condition.unlock() }
        self.closed = true
        self.condition.broadcast()
    }
}
