import Foundation
import Glibc

/// Waiting for child processes without `Process.waitUntilExit()`, which on Linux spins a run loop and
/// can miss a child's exit when many tests start and kill processes at once (the test run then hangs).
/// A process reaped here keeps `isRunning == true` in Foundation: ask ``poll(_:)`` instead.
public enum ProcessExit {
    /// The exit status of `process` (128 + signal if a signal ended it), or nil while it runs; -1 for a
    /// process that never started (its `run()` threw). Foundation reaps its children itself; only a child
    /// whose exit it has not seen is reaped here with `waitpid`.
    public static func poll(_ process: Process) -> Int32? {
        // Foundation's termination status of a process that never started is a failed precondition, a
        // silent trap that ends the whole test run; and waitpid(0) would reap any child of our group.
        guard process.processIdentifier > 0 else { return process.isRunning ? nil : -1 }
        if !process.isRunning {
            // Foundation marks the process finished around the moment it records how: let it finish.
            usleep(100_000)
            let code = process.terminationStatus
            return process.terminationReason == .uncaughtSignal ? 128 + code : code
        }
        var status: Int32 = 0
        guard waitpid(process.processIdentifier, &status, WNOHANG) == process.processIdentifier else {
            return nil
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Waits until `process` has exited and returns its status as ``poll(_:)`` does; -1 if Foundation
    /// reaped it without ever recording how it ended.
    public static func wait(for process: Process) -> Int32 {
        var reapedElsewhereSince: ContinuousClock.Instant?
        while true {
            if let status = self.poll(process) {
                return status
            }
            var ignored: Int32 = 0
            if waitpid(process.processIdentifier, &ignored, WNOHANG) == -1 && errno == ECHILD {
                let since = reapedElsewhereSince ?? .now
                reapedElsewhereSince = since
                if ContinuousClock.now - since > .seconds(1) {
                    return -1
                }
            }
            usleep(5_000)
        }
    }
}
