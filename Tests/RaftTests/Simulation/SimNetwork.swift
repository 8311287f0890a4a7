import Raft

/// The simulated network: every message waits a random number of rounds and may be dropped, duplicated or
/// reordered; partitions block directed links. Healed, it delivers every message in order on the next step.
struct SimNetwork {
    private struct Flight {
        let deliverAt: Int
        let message: Message
    }

    private var flights: [Flight] = []
    private var blocked: Set<UInt64> = []
    var dropRate = 0.0
    var duplicateRate = 0.0
    var maxDelayRounds = 0
    /// Whether messages due together arrive in random order. A healthy link (a TCP stream, as etcd's peers use)
    /// delivers in order.
    var reorders = true

    private static func link(_ from: NodeID, _ to: NodeID) -> UInt64 { from << 32 | to }

    var isPartitioned: Bool { !self.blocked.isEmpty }

    var inFlightCount: Int { self.flights.count }

    mutating func block(from: NodeID, to: NodeID) {
        self.blocked.insert(Self.link(from, to))
    }

    mutating func heal() {
        self.blocked.removeAll()
    }

    func isBlocked(from: NodeID, to: NodeID) -> Bool {
        self.blocked.contains(Self.link(from, to))
    }

    /// Queues a message; returns false when the network drops it at once.
    mutating func send(_ message: Message, round: Int, random: inout SimRandom) -> Bool {
        if random.chance(self.dropRate) { return false }
        self.flights.append(Flight(deliverAt: round + self.delay(&random), message: message))
        if random.chance(self.duplicateRate) {
            self.flights.append(Flight(deliverAt: round + self.delay(&random), message: message))
        }
        return true
    }

    private func delay(_ random: inout SimRandom) -> Int {
        self.maxDelayRounds == 0 ? 0 : random.below(self.maxDelayRounds + 1)
    }

    /// Removes the messages due by `round`, in random order (reordering).
    mutating func takeDue(round: Int, random: inout SimRandom) -> [Message] {
        var due: [Message] = []
        var waiting: [Flight] = []
        waiting.reserveCapacity(self.flights.count)
        for flight in self.flights {
            if flight.deliverAt <= round {
                due.append(flight.message)
            } else {
                waiting.append(flight)
            }
        }
        self.flights = waiting
        if self.reorders { due.shuffle(using: &random) }
        return due
    }
}
