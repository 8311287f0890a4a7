/// A leader's ``Progress`` for every member, kept in a small array: groups have a handful of members, so a linear
/// scan beats hashing on the hot path.
struct ProgressTracker {
    var members: [Progress] = []

    func position(of id: NodeID) -> Int? {
        self.members.firstIndex { $0.id == id }
    }

    mutating func remove(_ id: NodeID) {
        self.members.removeAll { $0.id == id }
    }

    /// The highest index a quorum of voters has matched: the quorum-th largest voter match.
    func quorumMatch(quorum: Int) -> UInt64 {
        self.quorumValue(quorum: quorum) { $0.match }
    }

    /// The highest read-index round a quorum of voters has confirmed.
    func quorumReadRound(quorum: Int) -> UInt64 {
        self.quorumValue(quorum: quorum) { $0.readRoundAcked }
    }

    /// Whether a quorum of voters was heard from since the last check.
    func quorumActive(quorum: Int) -> Bool {
        var active = 0
        for member in self.members where !member.isLearner && member.recentActive {
            active += 1
        }
        return active >= quorum
    }

    private func quorumValue(quorum: Int, _ value: (Progress) -> UInt64) -> UInt64 {
        let voterCount = self.members.count { !$0.isLearner }
        guard voterCount >= quorum, quorum > 0 else { return 0 }
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: voterCount) { buffer in
            var filled = 0
            for member in self.members where !member.isLearner {
                // Insertion sort, descending: a handful of voters.
                var slot = filled
                let item = value(member)
                while slot > 0 && buffer[slot - 1] < item {
                    buffer[slot] = buffer[slot - 1]
                    slot -= 1
                }
                buffer[slot] = item
                filled += 1
            }
            return buffer[quorum - 1]
        }
    }
}
