/// Why a member campaigns.
enum CampaignKind {
    /// The pre-vote phase: asks whether an election could be won, without raising the term.
    case preElection
    /// A real election, after an election timeout or a won pre-vote.
    case election
    /// An election the leader asked for when handing over leadership.
    case transfer
}

extension RaftCore {
    /// Advances the logical clock: followers and candidates count toward an election, leaders toward heartbeats
    /// and the check-quorum round.
    mutating func tick() {
        if self.role == .leader {
            self.tickLeader()
        } else {
            self.tickElection()
        }
    }

    private mutating func tickElection() {
        self.electionElapsed += 1
        if self.isPromotable && self.electionElapsed >= self.randomizedElectionTimeout {
            self.electionElapsed = 0
            self.hup()
        }
    }

    private mutating func tickLeader() {
        self.heartbeatElapsed += 1
        self.electionElapsed += 1
        if self.electionElapsed >= self.config.electionTicks {
            self.electionElapsed = 0
            if self.config.checkQuorum {
                self.checkQuorum()
            }
            // A transfer that did not finish within an election timeout is abandoned, so proposals flow again.
            if self.role == .leader && self.leadTransferee != .none {
                self.leadTransferee = .none
            }
        }
        guard self.role == .leader else { return }
        if self.heartbeatElapsed >= self.config.heartbeatTicks {
            self.heartbeatElapsed = 0
            self.broadcastHeartbeats()
        }
    }

    /// Starts an election (with a pre-vote first when configured), unless this member leads already, is not a
    /// voter, or has a committed configuration change it has not applied (its configuration may be stale).
    mutating func hup() {
        guard self.role != .leader, self.isPromotable, !self.hasUnappliedConfChange() else { return }
        self.campaign(self.config.preVote ? .preElection : .election)
    }

    private mutating func hasUnappliedConfChange() -> Bool {
        let lo = max(self.log.applied + 1, self.log.firstIndex)
        guard self.log.committed >= lo else { return false }
        do {
            let pending = try self.log.entries(lo: lo, hi: self.log.committed + 1, maxBytes: .max)
            return pending.contains { $0.kind == .confChange }
        } catch {
            preconditionFailure("unapplied committed entries [\(lo), \(self.log.committed)] unreadable: \(error)")
        }
    }

    /// Becomes a (pre-)candidate, votes for itself and asks every other voter.
    mutating func campaign(_ kind: CampaignKind) {
        let requestType: MessageType
        let term: UInt64
        if kind == .preElection {
            self.becomePreCandidate()
            requestType = .preVote
            // Pre-votes ask about the next term without entering it.
            term = self.term + 1
        } else {
            self.becomeCandidate()
            requestType = .vote
            term = self.term
        }
        self.votes.record(self.id, granted: true)
        if self.votes.result(in: self.membership) == .won {
            // The only voter: nobody else to ask.
            if kind == .preElection {
                self.campaign(.election)
            } else {
                self.becomeLeader()
            }
            return
        }
        let lastIndex = self.log.lastIndex
        let lastTerm = self.log.lastTerm
        let context = kind == .transfer ? transferCampaignContext : []
        for voter in self.membership.voters where voter != self.id {
            self.send(Message(type: requestType, to: voter, term: term, logTerm: lastTerm, index: lastIndex,
                              context: context))
        }
    }

    /// Steps down unless a quorum of voters was heard from since the last check (Raft thesis §6.2).
    mutating func checkQuorum() {
        if let own = self.tracker.position(of: self.id) {
            self.tracker.members[own].recentActive = true
        }
        guard self.tracker.quorumActive(quorum: self.membership.quorum) else {
            self.becomeFollower(term: self.term, leader: .none)
            return
        }
        for position in self.tracker.members.indices where self.tracker.members[position].id != self.id {
            self.tracker.members[position].recentActive = false
        }
    }
}
