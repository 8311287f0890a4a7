extension RaftCore {
    /// Applies a committed configuration change (Raft §6, one member at a time) and returns the configuration now
    /// in force. A leader starts replicating to added members, stops tracking removed ones, may commit more now
    /// that the quorum changed, and steps down if it removed or demoted itself.
    mutating func applyConfChange(_ change: ConfChange) -> ConfState {
        let next = self.membership.applying(change)
        precondition(!next.voters.isEmpty || self.membership.voters.isEmpty,
                     "configuration change \(change.kind) of \(change.nodeID) removes all voters")
        self.membership = next
        guard self.role == .leader else { return next.confState }
        self.reconcileTracker()
        if !next.isVoter(self.id) {
            self.stepDownAfterRemoval()
            return next.confState
        }
        self.maybeCommit()
        self.flushPending = true
        if self.leadTransferee != .none && !next.isVoter(self.leadTransferee) {
            self.leadTransferee = .none
        }
        return next.confState
    }

    /// Makes the tracker follow the configuration: new members are probed from the end of the log, removed ones
    /// dropped, and roles updated.
    private mutating func reconcileTracker() {
        self.tracker.members.removeAll { !self.membership.contains($0.id) }
        for position in self.tracker.members.indices {
            self.tracker.members[position].isLearner = self.membership.isLearner(self.tracker.members[position].id)
        }
        let next = self.log.lastIndex + 1
        for member in self.membership.voters + self.membership.learners where self.tracker.position(of: member) == nil {
            var progress = self.makeProgress(member, next: next)
            // New members count as active, or a check-quorum round before they answer could depose the leader.
            progress.recentActive = true
            progress.needsAppend = true
            self.tracker.members.append(progress)
        }
    }

    /// A leader no longer among the voters hands over to the most caught-up voter, if one has the whole log, and
    /// becomes a follower; otherwise the others elect a leader after their election timeout.
    private mutating func stepDownAfterRemoval() {
        let lastIndex = self.log.lastIndex
        let successor = self.tracker.members
            .filter { !$0.isLearner && $0.id != self.id && $0.match == lastIndex }
            .min { $0.id < $1.id }
        if let successor {
            self.send(Message(type: .timeoutNow, to: successor.id))
        }
        self.becomeFollower(term: self.term, leader: .none)
    }
}
