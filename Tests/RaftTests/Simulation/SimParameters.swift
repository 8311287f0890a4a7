/// The fault and workload mix of one seed, drawn from the seed itself (as TigerBeetle's VOPR does), so that seeds
/// cover calm and hostile runs alike.
struct SimParameters: CustomStringConvertible {
    var preVote: Bool
    var checkQuorum: Bool
    var electionTicks: Int
    var heartbeatTicks: Int
    var maxSizePerMessageBytes: Int
    var maxInflightMessages: Int
    var dropRate: Double
    var duplicateRate: Double
    var maxDelayRounds: Int
    var partitionRate: Double
    var crashRate: Double
    var slowDiskRate: Double
    var proposalRate: Double
    var confChangeRate: Double
    var compactionRate: Double
    var transferRate: Double
    var readIndexRate: Double

    init(_ random: inout SimRandom) {
        self.preVote = random.chance(0.5)
        self.checkQuorum = random.chance(0.5)
        self.electionTicks = 8 + random.below(5)
        self.heartbeatTicks = 1 + random.below(2)
        self.maxSizePerMessageBytes = [1, 64, 256, 4096][random.below(4)]
        self.maxInflightMessages = [1, 4, 64][random.below(3)]
        self.dropRate = random.uniform(0...0.2)
        self.duplicateRate = random.uniform(0...0.15)
        self.maxDelayRounds = random.below(4)
        // A quarter of the seeds churn: frequent partitions and crashes make leaders with divergent logs succeed
        // one another, which is where commit-rule and election-restriction bugs show.
        let churn = random.chance(0.25)
        self.partitionRate = churn ? random.uniform(0.05...0.15) : random.uniform(0...0.03)
        self.crashRate = churn ? random.uniform(0.01...0.04) : random.uniform(0...0.01)
        self.slowDiskRate = random.uniform(0...0.5)
        self.proposalRate = random.uniform(0.2...0.9)
        self.confChangeRate = random.uniform(0...0.03)
        self.compactionRate = random.uniform(0...0.05)
        self.transferRate = random.uniform(0...0.01)
        self.readIndexRate = random.uniform(0...0.1)
    }

    var description: String {
        "preVote=\(self.preVote) checkQuorum=\(self.checkQuorum) election=\(self.electionTicks) "
            + "heartbeat=\(self.heartbeatTicks) drop=\(self.dropRate) duplicate=\(self.duplicateRate) "
            + "delay=\(self.maxDelayRounds) partition=\(self.partitionRate) crash=\(self.crashRate)"
    }
}
