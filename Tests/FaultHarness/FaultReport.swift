import HistoryCheck

/// What a fault run did and what the checks found: counts, faults, anomalies (each with the smallest
/// excerpt of the history that shows it), the writes' longest outage under each fault, and how to replay it.
public struct FaultReport: Sendable, CustomStringConvertible {
    public typealias Op = Operation<KVRequest, KVResponse>

    public var seed: UInt64
    public var members: Int
    public var operations: Int
    public var answered: Int
    public var faults: [FaultEvent]
    public var leases: Int
    public var anomalies: [Anomaly]
    /// The run's length and the checks' time, in seconds.
    public var seconds: Double
    public var checkerSeconds: Double
    /// Per fault: the longest time without an answered write from its start until the next fault (the last
    /// one: until the clients were told to stop).
    public var outages: [(fault: FaultEvent, seconds: Double)]

    /// Checks `history` and `watches` and summarises the run, with what the lease checks found.
    public init(seed: UInt64, members: Int, history: [Op], watches: [WatchLog], faults: [FaultEvent], leases: Int,
                leaseAnomalies: [Anomaly], workEnded: UInt64, seconds: Double) {
        self.seed = seed
        self.members = members
        self.operations = history.count
        self.answered = history.filter { $0.output != nil }.count
        self.faults = faults
        self.leases = leases
        self.seconds = seconds
        let started = ContinuousClock.now
        let model = KeyValueModel()
        let pruned = UnobservedWrites.prune(history, watches: watches)
        let verdict = LinearizabilityChecker(model: model).check(pruned)
        var anomalies = verdict.violations.map { violation in
            Anomaly(kind: "not linearizable (the shortest failing prefix of a partition, its last operations)",
                    excerpt: violation.suffix(40).map(model.describe))
        }
        anomalies += RevisionChecks.check(history)
        anomalies += WatchChecks.check(watches, history: history)
        anomalies += leaseAnomalies
        self.anomalies = anomalies
        let elapsed = ContinuousClock.now - started
        self.checkerSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let writes = history.filter { RevisionChecks.putsSomething($0) && !$0.input.serializable }.compactMap(\.returned).sorted()
        self.outages = faults.enumerated().map { position, fault in
            let until = position + 1 < faults.count ? faults[position + 1].start : workEnded
            var previous = fault.start
            var longest: UInt64 = 0
            for answer in writes where answer > fault.start && answer <= until {
                longest = max(longest, answer - previous)
                previous = answer
            }
            longest = max(longest, until - previous)
            return (fault, Double(longest) / 1e9)
        }
    }

    /// One line: operations checked, faults injected, anomalies found.
    public var summary: String {
        "fault run (seed \(self.seed), \(self.members) members): \(self.operations) operations checked (\(self.answered) answered), "
            + "\(self.leases) leases, \(self.faults.count) faults injected, \(self.anomalies.count) anomalies, in \(Self.format(self.seconds)) s "
            + "(checker \(Self.format(self.checkerSeconds)) s)"
    }

    /// The command that runs the same schedule again.
    public var replay: String {
        let faults = self.faults.map(\.fault.rawValue).joined(separator: ",")
        return "FAULT_SEED=\(self.seed) FAULT_MEMBERS=\(self.members) FAULT_SCHEDULE=\(faults) swift test -c release --filter FaultRunTests"
    }

    public var description: String {
        var lines = [self.summary]
        for (fault, seconds) in self.outages {
            lines.append("  \(fault): longest time without a write \(Self.format(seconds)) s")
        }
        for anomaly in self.anomalies.prefix(10) {
            lines.append("\(anomaly)")
        }
        if !self.anomalies.isEmpty { lines.append("replay: \(self.replay)") }
        return lines.joined(separator: "\n")
    }

    static func format(_ seconds: Double) -> String {
        String(Double(Int(seconds * 1000)) / 1000)
    }
}
