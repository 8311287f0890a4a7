import Foundation
import Testing

/// Deterministic simulation of 3- and 5-member groups under drops, duplicates, reordering, delays, partitions,
/// crashes that lose unpersisted state, membership changes and compaction. Invariants are checked after every
/// step; liveness after the faults heal.
///
/// `RAFT_SIM_SEEDS=N` runs N seeds per group size (default 1,000 in release builds, 100 in debug builds);
/// `RAFT_SIM_SEED=S RAFT_SIM_SIZE=N` replays one seed (add `RAFT_SIM_TRACE=1` to print every round's state).
@Suite("Simulation")
struct SimulationTests {
    static let chunks = 8

    static var seedsPerSize: Int {
        if let text = ProcessInfo.processInfo.environment["RAFT_SIM_SEEDS"], let count = Int(text) { return count }
        return _isDebugAssertConfiguration() ? 100 : 1_000
    }

    static var replaySeed: UInt64? {
        ProcessInfo.processInfo.environment["RAFT_SIM_SEED"].flatMap { UInt64($0) }
    }

    @Test("seeds", arguments: [3, 5], 0..<chunks)
    func seeds(size: Int, chunk: Int) {
        let seeds: [UInt64]
        if let replay = Self.replaySeed {
            let replaySize = ProcessInfo.processInfo.environment["RAFT_SIM_SIZE"].flatMap { Int($0) } ?? size
            guard chunk == 0, replaySize == size else { return }
            seeds = [replay]
        } else {
            seeds = stride(from: chunk, to: Self.seedsPerSize, by: Self.chunks).map { UInt64($0) }
        }
        for seed in seeds {
            SimulationCrashReporter.running(seed: seed, size: size, slot: chunk + (size == 3 ? 0 : Self.chunks))
            let simulation = Simulation(seed: seed, size: size)
            simulation.trace = Self.replaySeed != nil && ProcessInfo.processInfo.environment["RAFT_SIM_TRACE"] == "1"
            if let violation = simulation.run() {
                Issue.record("""
                    seed \(seed), \(size) members (\(simulation.parameters)): \(violation)
                    replay: RAFT_SIM_SEED=\(seed) RAFT_SIM_SIZE=\(size) swift test -c release \
                    --disable-testable-imports --filter SimulationTests
                    """)
                return
            }
        }
        SimulationCrashReporter.finished(slot: chunk + (size == 3 ? 0 : Self.chunks))
    }
}
