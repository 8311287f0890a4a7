extension RaftCore {
    mutating func stepLeader(_ message: Message) throws(RaftError) {
        switch message.type {
        case .beat:
            self.broadcastHeartbeats()
            return
        case .checkQuorum:
            self.checkQuorum()
            return
        case .propose:
            try self.appendForwardedProposals(message.entries)
            return
        case .readIndex:
            try? self.leaderReadIndex(from: message.from, context: message.context)
            return
        default:
            break
        }
        // Everything else comes from a member the leader tracks.
        guard let position = self.tracker.position(of: message.from) else { return }
        switch message.type {
        case .appendResponse:
            self.handleAppendResponse(message, at: position)
        case .heartbeatResponse:
            self.handleHeartbeatResponse(message, at: position)
        case .snapshotStatus:
            self.handleSnapshotStatus(failed: message.reject, at: position)
        case .unreachable:
            // An append to an unreachable member was probably lost; stop streaming and probe.
            if self.tracker.members[position].state == .replicate {
                self.tracker.members[position].becomeProbe()
            }
        case .transferLeader:
            self.startTransfer(to: message.from, at: position)
        default:
            break
        }
    }

    private mutating func handleAppendResponse(_ message: Message, at position: Int) {
        self.tracker.members[position].recentActive = true
        if message.reject {
            self.handleAppendRejection(message, at: position)
            return
        }
        let wasPaused = self.tracker.members[position].isPaused
        guard self.tracker.members[position].maybeUpdate(message.index) else { return }
        switch self.tracker.members[position].state {
        case .probe:
            self.tracker.members[position].becomeReplicate()
        case .snapshot:
            // Whatever snapshot the follower installed, the log can take it from here.
            if self.tracker.members[position].match + 1 >= self.log.firstIndex {
                self.tracker.members[position].becomeProbe()
                self.tracker.members[position].becomeReplicate()
            }
        case .replicate:
            self.tracker.members[position].inflights.free(upTo: message.index)
        }
        if !self.maybeCommit() && wasPaused {
            // It may have missed the commit index while paused.
            self.tracker.members[position].needsAppend = true
        }
        // Acknowledgements free inflight slots; more appends may be due.
        self.flushPending = true
        if message.from == self.leadTransferee && self.tracker.members[position].match == self.log.lastIndex {
            self.send(Message(type: .timeoutNow, to: message.from))
        }
    }

    /// Fast backtracking: the follower's hint names the last (index, term) where its log may match ours; we find
    /// our own last index at or below it with a term no greater, skipping whole divergent terms in one round trip.
    private mutating func handleAppendRejection(_ message: Message, at position: Int) {
        var matchHint = message.rejectHint
        if message.logTerm > 0 {
            matchHint = self.log.lastIndexWithTermAtMost(index: message.rejectHint, term: message.logTerm).index
        }
        guard self.tracker.members[position].maybeDecrease(rejected: message.index, matchHint: matchHint) else {
            return
        }
        if self.tracker.members[position].state == .replicate {
            self.tracker.members[position].becomeProbe()
        }
        self.tracker.members[position].needsAppend = true
        self.flushPending = true
    }

    private mutating func handleHeartbeatResponse(_ message: Message, at position: Int) {
        self.tracker.members[position].recentActive = true
        self.tracker.members[position].probeSent = false
        // A full window with lost acknowledgements would stall forever; the heartbeat proves the member is there.
        if self.tracker.members[position].state == .replicate && self.tracker.members[position].inflights.isFull {
            self.tracker.members[position].inflights.freeFirst()
        }
        if self.tracker.members[position].match < self.log.lastIndex {
            self.tracker.members[position].needsAppend = true
            self.flushPending = true
        }
        if let round = ReadIndexQueue.round(fromContext: message.context) {
            self.acknowledgeReadRound(round, at: position)
        }
    }

    private mutating func handleSnapshotStatus(failed: Bool, at position: Int) {
        guard self.tracker.members[position].state == .snapshot else { return }
        if failed {
            // Forget the snapshot first, or probing would start after an index the follower never got.
            self.tracker.members[position].pendingSnapshot = 0
        }
        self.tracker.members[position].becomeProbe()
        // Wait for the follower's append response (or, after a failure, a heartbeat) before the next probe.
        self.tracker.members[position].probeSent = true
    }

    /// Raft thesis §3.10: brings the transferee's log up to date, then tells it to campaign at once. Proposals are
    /// dropped meanwhile; the transfer is abandoned after an election timeout.
    private mutating func startTransfer(to transferee: NodeID, at position: Int) {
        guard !self.tracker.members[position].isLearner, transferee != self.id else { return }
        if self.leadTransferee == transferee { return }
        self.leadTransferee = transferee
        self.electionElapsed = 0
        if self.tracker.members[position].match == self.log.lastIndex {
            self.send(Message(type: .timeoutNow, to: transferee))
        } else {
            self.tracker.members[position].needsAppend = true
            self.flushPending = true
        }
    }

    /// Commits the highest index a quorum of voters has matched if its entry is from this term (Raft §5.4.2: an
    /// entry from an earlier term is never committed by counting replicas). Returns whether the commit advanced.
    @discardableResult
    mutating func maybeCommit() -> Bool {
        let candidate = self.tracker.quorumMatch(quorum: self.membership.quorum)
        guard self.log.maybeCommit(index: candidate, term: self.term) else { return false }
        for position in self.tracker.members.indices {
            self.tracker.members[position].needsAppend = true
        }
        self.flushPending = true
        self.releaseReadsAwaitingTermCommit()
        return true
    }

    /// The leader's own entries count toward a quorum only once they are durable: after the owner persisted a
    /// Ready. Appends to followers go out before that, in parallel with the leader's own write.
    mutating func leaderPersisted() {
        guard let own = self.tracker.position(of: self.id) else { return }
        if self.tracker.members[own].maybeUpdate(self.log.persistedLastIndex) {
            self.maybeCommit()
        }
    }
}
