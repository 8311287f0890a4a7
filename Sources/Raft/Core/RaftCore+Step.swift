/// Marks a vote request as part of a leadership transfer, which a follower grants even inside its leader lease.
let transferCampaignContext: [UInt8] = Array("CampaignTransfer".utf8)

extension RaftCore {
    /// Handles one message: first what its term implies (Raft §5.1: a newer term makes this member a follower, an
    /// older one is stale), then what its type asks for in the current role.
    mutating func step(_ message: Message) throws(RaftError) {
        if message.term > self.term {
            if self.ignoresForLease(message) { return }
            self.adoptTerm(of: message)
        } else if message.term < self.term && message.term != 0 {
            self.answerStaleMessage(message)
            return
        }
        switch message.type {
        case .hup:
            self.hup()
        case .vote, .preVote:
            self.handleVoteRequest(message)
        default:
            switch self.role {
            case .leader: try self.stepLeader(message)
            case .candidate, .preCandidate: try self.stepCandidate(message)
            case .follower: try self.stepFollower(message)
            }
        }
    }

    /// With check-quorum, a member that heard from a leader within the election timeout ignores vote requests for
    /// a newer term (Raft thesis §4.2.3), unless the leader itself handed over leadership.
    private func ignoresForLease(_ message: Message) -> Bool {
        guard message.type == .vote || message.type == .preVote else { return false }
        let inLease = self.config.checkQuorum && self.leader != .none
            && self.electionElapsed < self.config.electionTicks
        return inLease && message.context != transferCampaignContext
    }

    private mutating func adoptTerm(of message: Message) {
        switch message.type {
        case .preVote:
            // A pre-vote is for a term the sender has not entered; it changes nothing here.
            break
        case .preVoteResponse where !message.reject:
            // A granted pre-vote echoes the term the pre-candidate will campaign in; it raises its term on winning.
            break
        case .append, .heartbeat, .snapshot:
            self.becomeFollower(term: message.term, leader: message.from)
        default:
            self.becomeFollower(term: message.term, leader: .none)
        }
    }

    private mutating func answerStaleMessage(_ message: Message) {
        if (self.config.checkQuorum || self.config.preVote) && (message.type == .heartbeat || message.type == .append) {
            // A leader of an older term may be stuck: this member's higher term (gained while partitioned) is never
            // announced when its vote requests are ignored for lease or pre-vote. Telling it lets it step down.
            self.send(Message(type: .appendResponse, to: message.from))
        } else if message.type == .preVote {
            // Rejecting (rather than ignoring) lets a pre-candidate with a stale term learn of ours and give up.
            self.send(Message(type: .preVoteResponse, to: message.from, term: self.term, reject: true))
        }
    }

    /// Raft §5.2 and §5.4.1: grants a vote if this member has not voted for another in the term (or, for a
    /// pre-vote, if the term is ahead of ours) and the candidate's log is at least as up to date as ours.
    ///
    /// Learners answer too: a learner may have been promoted by an entry it has not applied yet, and only the
    /// candidate's configuration decides whose vote counts.
    private mutating func handleVoteRequest(_ message: Message) {
        let canVote = self.vote == message.from
            || (self.vote == .none && self.leader == .none)
            || (message.type == .preVote && message.term > self.term)
        let responseType = message.type.voteResponseType
        if canVote && self.log.isUpToDate(lastIndex: message.index, term: message.logTerm) {
            // The response carries the request's term: a pre-candidate ignores answers from older terms.
            self.send(Message(type: responseType, to: message.from, term: message.term))
            if message.type == .vote {
                self.electionElapsed = 0
                self.vote = message.from
            }
        } else {
            self.send(Message(type: responseType, to: message.from, term: self.term, reject: true))
        }
    }

    private mutating func stepCandidate(_ message: Message) throws(RaftError) {
        // Only answers to this candidacy count: a candidate may still get pre-vote answers from before.
        let answerType: MessageType = self.role == .preCandidate ? .preVoteResponse : .voteResponse
        switch message.type {
        case .propose:
            throw .proposalDropped
        case .append:
            self.becomeFollower(term: message.term, leader: message.from)
            self.handleAppend(message)
        case .heartbeat:
            self.becomeFollower(term: message.term, leader: message.from)
            self.handleHeartbeat(message)
        case .snapshot:
            self.becomeFollower(term: message.term, leader: message.from)
            self.handleSnapshot(message)
        case answerType:
            self.votes.record(message.from, granted: !message.reject)
            switch self.votes.result(in: self.membership) {
            case .won:
                if self.role == .preCandidate {
                    self.campaign(.election)
                } else {
                    self.becomeLeader()
                }
            case .lost:
                self.becomeFollower(term: self.term, leader: .none)
            case .pending:
                break
            }
        default:
            break
        }
    }

    private mutating func stepFollower(_ message: Message) throws(RaftError) {
        switch message.type {
        case .propose:
            guard self.leader != .none, !self.config.disableProposalForwarding else { throw .proposalDropped }
            self.forward(message, to: self.leader)
        case .append:
            self.electionElapsed = 0
            self.leader = message.from
            self.handleAppend(message)
        case .heartbeat:
            self.electionElapsed = 0
            self.leader = message.from
            self.handleHeartbeat(message)
        case .snapshot:
            self.electionElapsed = 0
            self.leader = message.from
            self.handleSnapshot(message)
        case .transferLeader:
            guard self.leader != .none else { return }
            self.forward(message, to: self.leader)
        case .timeoutNow:
            // Raft thesis §3.10: the leader asks this member to campaign at once. No pre-vote: the leader vouches
            // that no partition is involved.
            if self.isPromotable { self.campaign(.transfer) }
        case .readIndexResponse:
            self.readStates.append(ReadState(index: message.index, context: message.context))
        default:
            break
        }
    }
}
