extension RaftCore {
    /// Raft §5.3, AppendEntries on the receiver: accept if our log has the leader's entry at `index` with
    /// `logTerm`, else reject with a hint where our logs may match.
    mutating func handleAppend(_ message: Message) {
        if message.index < self.log.committed {
            // Everything up to our commit index matches the leader already.
            self.send(Message(type: .appendResponse, to: message.from, index: self.log.committed))
            return
        }
        if let lastNew = self.log.maybeAppend(index: message.index, logTerm: message.logTerm,
                                               committed: message.commit, entries: message.entries) {
            self.send(Message(type: .appendResponse, to: message.from, index: lastNew))
            return
        }
        // Our last (index, term) at or below the leader's probe whose term is no greater than the leader's there:
        // entries above it with larger terms cannot match, so the leader may skip them all.
        let hint = self.log.lastIndexWithTermAtMost(index: min(message.index, self.log.lastIndex),
                                                    term: message.logTerm)
        self.send(Message(type: .appendResponse, to: message.from, logTerm: hint.term, index: message.index,
                          reject: true, rejectHint: hint.index))
    }

    /// The leader only sends a commit index this member's log is known to reach.
    mutating func handleHeartbeat(_ message: Message) {
        self.log.commit(to: message.commit)
        self.send(Message(type: .heartbeatResponse, to: message.from, context: message.context))
    }

    mutating func handleSnapshot(_ message: Message) {
        guard let snapshot = message.snapshot else { return }
        if self.restore(snapshot) {
            self.send(Message(type: .appendResponse, to: message.from, index: self.log.lastIndex))
        } else {
            self.send(Message(type: .appendResponse, to: message.from, index: self.log.committed))
        }
    }

    /// Installs a leader's snapshot: the log restarts after it and its configuration takes over. Returns false
    /// when the snapshot adds nothing (it is not past our commit index, or our log already has its last entry, in
    /// which case the commit index moves up to it).
    ///
    /// The snapshot's configuration need not include this member: a member just added gets the leader's latest
    /// snapshot, which may predate its addition; the change that added it follows in the log.
    private mutating func restore(_ snapshot: Snapshot) -> Bool {
        let metadata = snapshot.metadata
        guard metadata.index > self.log.committed else { return false }
        precondition(self.role == .follower, "restoring a snapshot as \(self.role)")
        if self.log.matchTerm(index: metadata.index, term: metadata.term) {
            self.log.commit(to: metadata.index)
            return false
        }
        self.log.restore(snapshot)
        self.membership = Membership(metadata.confState)
        return true
    }
}
