#if canImport(Glibc)
import Glibc
#endif

/// Names the seeds that were running when a Raft precondition stops the process, so a crash still replays:
/// a trap cannot be caught as a test failure, but a signal handler can print before the process dies.
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

    private static func installHandler() {
        #if canImport(Glibc)
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { signal in
            for slot in 0..<SimulationCrashReporter.slots {
                let value = SimulationCrashReporter.running[slot]
                guard value != 0 else { continue }
                let seed = (value & 0xFFFF_FFFF_FFFF) - 1
                let line = "simulation stopped while running seed \(seed) (\(value >> 48) members): replay with "
                    + "RAFT_SIM_SEED=\(seed) RAFT_SIM_SIZE=\(value >> 48) swift test -c release "
                    + "--disable-testable-imports --filter SimulationTests\n"
                _ = line.withCString { write(2, $0, strlen($0)) }
            }
            Glibc.signal(signal, SIG_DFL)
            raise(signal)
        }
        sigaction(SIGILL, &action, nil)
        sigaction(SIGTRAP, &action, nil)
        #endif
    }
}
