/// The outcome of an election so far.
enum VoteResult {
    case pending
    case won
    case lost
}

/// The votes a candidate has received in the current (pre-)election, counted over the voters of its configuration.
struct VoteTally {
    private var granted: [NodeID] = []
    private var rejected: [NodeID] = []

    /// Records the first answer of `id`; repeats are ignored.
    mutating func record(_ id: NodeID, granted: Bool) {
        guard !self.granted.contains(id), !self.rejected.contains(id) else { return }
        if granted {
            self.granted.append(id)
        } else {
            self.rejected.append(id)
        }
    }

    func result(in membership: Membership) -> VoteResult {
        let yes = self.granted.count { membership.isVoter($0) }
        let no = self.rejected.count { membership.isVoter($0) }
        if yes >= membership.quorum { return .won }
        if membership.voters.count - no < membership.quorum { return .lost }
        return .pending
    }

    mutating func reset() {
        self.granted.removeAll(keepingCapacity: true)
        self.rejected.removeAll(keepingCapacity: true)
    }
}
