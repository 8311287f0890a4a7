extension RaftCore {
    /// Asks for a read index: the leader registers it, a follower forwards it to the leader.
    mutating func readIndex(context: [UInt8]) throws(RaftError) {
        switch self.role {
        case .leader:
            try self.leaderReadIndex(from: self.id, context: context)
        case .follower:
            guard self.leader != .none else { throw .readIndexDropped }
            self.forward(Message(type: .readIndex, context: context), to: self.leader)
        case .candidate, .preCandidate:
            throw .readIndexDropped
        }
    }

    /// Raft thesis §6.4: the read index is the commit index, valid once a quorum confirms this member still leads.
    /// Until the leader has committed an entry of its own term its commit index may lag, so requests wait.
    mutating func leaderReadIndex(from requester: NodeID, context: [UInt8]) throws(RaftError) {
        guard self.reads.count < self.config.maxPendingReadIndexRequests else { throw .readIndexDropped }
        guard self.hasCommittedEntryInCurrentTerm else {
            self.reads.deferUntilTermCommit(from: requester, context: context)
            return
        }
        self.registerRead(from: requester, context: context)
    }

    /// The read index a request would get at once, with no round: the commit index while this member leads as
    /// the sole voter and has committed an entry of its term; nil whenever a request would wait or travel.
    var immediateReadIndex: UInt64? {
        guard self.role == .leader, self.isSoleVoter, self.hasCommittedEntryInCurrentTerm else { return nil }
        return self.log.committed
    }

    /// This member is the only voter: nobody else can lead, so a read index needs no confirmation.
    private var isSoleVoter: Bool {
        self.membership.voters.count == 1 && self.membership.voters[0] == self.id
    }

    private var hasCommittedEntryInCurrentTerm: Bool {
        self.log.termOrZero(at: self.log.committed) == self.term
    }

    private mutating func registerRead(from requester: NodeID, context: [UInt8]) {
        let index = self.log.committed
        if self.isSoleVoter {
            self.deliverRead(index: index, to: requester, context: context)
            return
        }
        let round = self.reads.register(index: index, from: requester, context: context)
        if let own = self.tracker.position(of: self.id) {
            self.tracker.members[own].readRoundAcked = round
        }
        self.flushPending = true
    }

    /// Records that a follower confirmed this leadership up to `round`, releasing the reads a quorum confirmed.
    mutating func acknowledgeReadRound(_ round: UInt64, at position: Int) {
        guard round > self.tracker.members[position].readRoundAcked, round <= self.reads.lastRound else { return }
        self.tracker.members[position].readRoundAcked = round
        let confirmed = self.tracker.quorumReadRound(quorum: self.membership.quorum)
        for request in self.reads.release(upTo: confirmed) {
            self.deliverRead(index: request.index, to: request.from, context: request.context)
        }
    }

    /// Registers the reads that waited for the first commit of this term.
    mutating func releaseReadsAwaitingTermCommit() {
        guard !self.reads.awaitingTermCommit.isEmpty, self.hasCommittedEntryInCurrentTerm else { return }
        for request in self.reads.takeAwaitingTermCommit() {
            self.registerRead(from: request.from, context: request.context)
        }
    }

    private mutating func deliverRead(index: UInt64, to requester: NodeID, context: [UInt8]) {
        if requester == self.id || requester == .none {
            self.readStates.append(ReadState(index: index, context: context))
        } else {
            self.send(Message(type: .readIndexResponse, to: requester, index: index, context: context))
        }
    }
}
