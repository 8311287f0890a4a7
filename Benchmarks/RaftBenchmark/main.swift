import CAllocationCounter
import Raft

/// Drives a three-member in-memory group (no I/O, one thread) and prints, per batch size (proposals handed to the
/// leader between two Readies): committed proposals per second for the whole group, heap allocations per
/// proposal (counted by interposing malloc), and microseconds of Raft CPU per proposal on the leader and on a
/// follower (time inside `RawNode` calls; storage and routing excluded).
///
/// Run: `swift run -c release RaftBenchmark [total proposals per batch size] [batch sizes...]`.

let payloadBytes = 128
let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let totalProposals = arguments.first ?? 200_000
let batchSizes = arguments.count > 1 ? Array(arguments.dropFirst()) : [1, 64, 1024]

struct Result {
    let batch: Int
    let proposals: Int
    let seconds: Double
    let allocations: UInt64
    let leaderNanoseconds: Double
    let followerNanoseconds: Double
    let cpuNanoseconds: UInt64
}

func run(batch: Int, proposals: Int) throws -> Result {
    let cluster = try Cluster(size: 3)
    let payload = [UInt8](repeating: 0x61, count: payloadBytes)
    let rounds = proposals / batch
    // Warm up: grow buffers to their steady-state size.
    for _ in 0..<min(rounds, 200) { try round(cluster, batch: batch, payload: payload) }
    for member in cluster.members {
        member.raftNanoseconds = 0
        member.timedCalls = 0
    }
    let allocationsBefore = allocation_counter_value()
    let cpuBefore = Clock.threadCPUNanoseconds()
    let start = Clock.nanoseconds()
    for index in 0..<rounds {
        try round(cluster, batch: batch, payload: payload)
        if index % 64 == 63 { cluster.compact() }
    }
    let elapsed = Clock.nanoseconds() - start
    let cpu = Clock.threadCPUNanoseconds() - cpuBefore
    let allocations = allocation_counter_value() - allocationsBefore
    func raftTime(_ member: Cluster.Member) -> Double {
        Double(member.raftNanoseconds) - Double(member.timedCalls) * Clock.intervalOverheadNanoseconds
    }
    return Result(batch: batch, proposals: rounds * batch, seconds: Double(elapsed) / 1e9, allocations: allocations,
                  leaderNanoseconds: raftTime(cluster.members[0]), followerNanoseconds: raftTime(cluster.members[1]),
                  cpuNanoseconds: cpu)
}

/// One batch: `batch` proposals to the leader, then Readies and deliveries until all are committed and applied.
func round(_ cluster: Cluster, batch: Int, payload: [UInt8]) throws {
    let leader = cluster.leader
    try leader.timed {
        for _ in 0..<batch { try leader.node.propose(payload) }
    }
    cluster.settle()
}

func format(_ value: Double, _ digits: Int) -> String {
    var text = String(Int((value * pow10(digits)).rounded()))
    while text.count <= digits { text = "0" + text }
    if digits > 0 { text.insert(".", at: text.index(text.endIndex, offsetBy: -digits)) }
    return text
}

func pow10(_ digits: Int) -> Double {
    (0..<digits).reduce(1.0) { value, _ in value * 10 }
}

print("Raft benchmark: 3 members in one process, \(payloadBytes)-byte proposals, \(totalProposals) per batch size")
print("clock overhead per timed call: \(format(Clock.intervalOverheadNanoseconds, 1)) ns (subtracted)")
print("batch  proposals/s  allocs/proposal  leader µs/proposal  follower µs/proposal  leader CPU share at 50k/s")
for batch in batchSizes {
    let result = try run(batch: batch, proposals: totalProposals)
    let proposals = Double(result.proposals)
    let leaderMicros = result.leaderNanoseconds / proposals / 1_000
    let followerMicros = result.followerNanoseconds / proposals / 1_000
    let share = leaderMicros * 50_000 / 1_000_000 * 100
    print([
        String(batch).padding(5),
        format(proposals / result.seconds, 0).padding(12),
        format(Double(result.allocations) / proposals, 2).padding(16),
        format(leaderMicros, 3).padding(19),
        format(followerMicros, 3).padding(21),
        format(share, 2) + "%",
    ].joined(separator: "  "))
}

extension String {
    func padding(_ width: Int) -> String {
        self.count >= width ? self : String(repeating: " ", count: width - self.count) + self
    }
}
