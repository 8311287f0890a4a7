import Foundation

/// A dedicated thread that runs the store's writes, as the server's apply thread does: async tests hop
/// between threads at every `await`, but LMDB's write transaction must stay on one.
final class ApplyThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []
    private var stopped = false

    init() {
        let thread = Thread { [self] in
            while let job = self.nextJob() {
                job()
            }
        }
        thread.start()
    }

    deinit {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    /// Runs `body` on the apply thread and waits for it.
    func run<R>(_ body: @escaping () throws -> R) throws -> R {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var outcome: Result<R, any Error>?
        condition.lock()
        jobs.append {
            outcome = Result { try body() }
            done.signal()
        }
        condition.signal()
        condition.unlock()
        done.wait()
        return try outcome!.get()
    }

    private func nextJob() -> (() -> Void)? {
        condition.lock()
        defer { condition.unlock() }
        while jobs.isEmpty && !stopped {
            condition.wait()
        }
        return jobs.isEmpty ? nil : jobs.removeFirst()
    }
}
