#if canImport(Glibc)
import Glibc
#endif

/// Names the seeds that were running when a Raft precondition stops the process, so a crash still replays:
/// a trap cannot be caught as a test failure, but a signal handler can print before the process dies. The
/// handler installed before it (the Swift runtime's backtracer) then handles the trap as it would have.
enum SimulationCrashReporter {
    private static let slots = 32
    /// Per test-case slot: seed + 1, or 0 when idle (low 48 bits), group size (high bits).
    nonisolated(unsafe) private static let running: UnsafeMutablePointer<UInt64> = {
        let pointer = UnsafeMutablePointer<UInt64>.allocate(capacity: slots)
        pointer.initialize(repeating: 0, count: slots)
        installHandler()
        return pointer
    }()

    static func running(seed: UInt64, size: Int, slot: Int) {
        self.running[slot % self.slots] = (seed + 1) | UInt64(size) << 48
    }

    static func finished(slot: Int) {
        self.running[slot % self.slots] = 0
    }

    /// The handlers installed before ours, for SIGILL and SIGTRAP: the Swift runtime's backtracer, which
    /// still gets the fault (and prints where it happened) after the seeds are named.
    nonisolated(unsafe) private static let previous: UnsafeMutablePointer<sigaction> = {
        let pointer = UnsafeMutablePointer<sigaction>.allocate(capacity: 2)
        pointer.initialize(repeating: sigaction(), count: 2)
        return pointer
    }()

    private static func installHandler() {
        #if canImport(Glibc)
        var action = sigaction()
        action.sa_flags = SA_SIGINFO
        action.__sigaction_handler.sa_sigaction = { signal, info, context in
            for slot in 0..<SimulationCrashReporter.slots {
                let value = SimulationCrashReporter.running[slot]
                guard value != 0 else { continue }
                let seed = (value & 0xFFFF_FFFF_FFFF) - 1
                let line = "simulation stopped while running seed \(seed) (\(value >> 48) members): replay with "
                    + "RAFT_SIM_SEED=\(seed) RAFT_SIM_SIZE=\(value >> 48) swift test -c release "
                    + "--disable-testable-imports --filter SimulationTests\n"
                _ = line.withCString { write(2, $0, strlen($0)) }
            }
            let previous = SimulationCrashReporter.previous[signal == SIGILL ? 0 : 1]
            if previous.sa_flags & SA_SIGINFO != 0, let handler = previous.__sigaction_handler.sa_sigaction {
                handler(signal, info, context)
                return
            }
            Glibc.signal(signal, SIG_DFL)
            raise(signal)
        }
        sigaction(SIGILL, &action, self.previous)
        sigaction(SIGTRAP, &action, self.previous + 1)
        #endif
    }
}
