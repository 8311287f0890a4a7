import Foundation

/// Blocks of bytes from a producer thread to an async consumer, at most `capacity` waiting: the producer
/// blocks when the consumer falls behind (the memory behind a pipe stays bounded) and learns when the
/// consumer has gone away. Carries the snapshot file from the thread that makes it to the stream.
final class BlockPipe: @unchecked Sendable {
    // The condition's lock guards every property below.
    private let condition = NSCondition()
    private let capacity: Int
    private var blocks: [[UInt8]] = []
    private var ended = false
    private var failure: (any Error)?
    private var abandoned = false
    private var waiter: CheckedContinuation<[UInt8]?, any Error>?

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Producer: hands over a block, waiting while `capacity` are queued. Returns false, dropping the
    /// block, once the consumer has abandoned the pipe.
    func send(_ block: [UInt8]) -> Bool {
        self.condition.lock()
        while self.blocks.count >= self.capacity && !self.abandoned {
            self.condition.wait()
        }
        guard !self.abandoned else {
            self.condition.unlock()
            return false
        }
        if let waiter = self.waiter {
            self.waiter = nil
            self.condition.unlock()
            waiter.resume(returning: block)
            return true
        }
        self.blocks.append(block)
        self.condition.unlock()
        return true
    }

    /// Producer: no more blocks; the consumer gets what is queued, then the end or `failure`.
    func finish(_ failure: (any Error)?) {
        self.condition.lock()
        self.ended = true
        self.failure = failure
        let waiter = self.waiter
        self.waiter = nil
        self.condition.unlock()
        if let waiter {
            if let failure { waiter.resume(throwing: failure) } else { waiter.resume(returning: nil) }
        }
    }

    /// Consumer: the next block, nil at the end, or the producer's failure.
    func next() async throws -> [UInt8]? {
        try await withCheckedThrowingContinuation { continuation in
            self.condition.lock()
            if !self.blocks.isEmpty {
                let block = self.blocks.removeFirst()
                self.condition.unlock()
                self.condition.signal()
                continuation.resume(returning: block)
            } else if self.ended {
                let failure = self.failure
                self.condition.unlock()
                if let failure { continuation.resume(throwing: failure) } else { continuation.resume(returning: nil) }
            } else {
                self.waiter = continuation
                self.condition.unlock()
            }
        }
    }

    /// Consumer: stops taking blocks (the producer's next ``send(_:)`` returns false) and waits until the
    /// producer has finished, so what it borrowed is released when this returns.
    func abandon() async {
        self.markAbandoned()
        while true {
            do {
                guard try await self.next() != nil else { return }
            } catch {
                return
            }
        }
    }

    private func markAbandoned() {
        self.condition.lock()
        self.abandoned = true
        self.blocks.removeAll()
        self.condition.unlock()
        self.condition.broadcast()
    }
}
