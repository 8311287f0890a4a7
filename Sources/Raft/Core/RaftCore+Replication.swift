extension RaftCore {
    /// Sends what followers are due: new entries, commit indexes, probes, and the heartbeat of a new read-index
    /// round. Called when the owner asks for a ``Ready``, so that every proposal and acknowledgement since the last
    /// one shares the same messages: one append per follower carries a whole batch of proposals.
    mutating func flush() {
        guard self.role == .leader, self.flushPending else { return }
        self.flushPending = false
        for position in self.tracker.members.indices where self.tracker.members[position].id != self.id {
            var force = self.tracker.members[position].needsAppend
            self.tracker.members[position].needsAppend = false
            while self.sendAppend(at: position, evenIfEmpty: force) {
                force = false
            }
        }
        if self.reads.heartbeatPending {
            self.broadcastHeartbeats()
        }
    }

    /// Sends one append (or, when the follower needs compacted entries, a snapshot) unless the follower is paused.
    /// Returns whether a message went out.
    private mutating func sendAppend(at position: Int, evenIfEmpty: Bool) -> Bool {
        if self.tracker.members[position].isPaused { return false }
        let next = self.tracker.members[position].next
        let lastIndex = self.log.lastIndex
        precondition(next >= 1 && next <= lastIndex + 1, "progress next \(next) beyond last index \(lastIndex)")
        if next > lastIndex && !evenIfEmpty { return false }
        let previousIndex = next - 1
        let previousTerm: UInt64
        let entries: [Entry]
        do {
            previousTerm = try self.log.term(at: previousIndex)
            entries = try self.log.entries(lo: next, hi: lastIndex + 1, maxBytes: self.config.maxSizePerMessageBytes)
        } catch {
            return self.sendSnapshot(at: position)
        }
        if entries.isEmpty && !evenIfEmpty { return false }
        if let last = entries.last {
            switch self.tracker.members[position].state {
            case .replicate:
                // Optimistic: assume delivery and keep streaming, bounded by the inflight window.
                self.tracker.members[position].next = last.index + 1
                let bytes = entries.reduce(0) { $0 + $1.byteSize }
                self.tracker.members[position].inflights.add(lastIndex: last.index, bytes: bytes)
            case .probe:
                self.tracker.members[position].probeSent = true
            case .snapshot:
                preconditionFailure("sending an append to a member awaiting a snapshot")
            }
        }
        self.send(Message(
            type: .append,
            to: self.tracker.members[position].id,
            logTerm: previousTerm,
            index: previousIndex,
            entries: entries,
            commit: self.log.committed
        ))
        return true
    }

    private mutating func sendSnapshot(at position: Int) -> Bool {
        // A member silent since the last check-quorum round may be down; a snapshot can be large.
        guard self.tracker.members[position].recentActive else { return false }
        let snapshot: Snapshot
        do {
            snapshot = try self.log.snapshot()
        } catch {
            // Temporarily unavailable: the next heartbeat response tries again.
            return false
        }
        precondition(!snapshot.isEmpty, "a compacted log needs a non-empty snapshot")
        self.tracker.members[position].becomeSnapshot(index: snapshot.metadata.index)
        self.send(Message(type: .snapshot, to: self.tracker.members[position].id, snapshot: snapshot))
        return true
    }

    /// Heartbeats carry the commit index each follower can safely take (never past what it matches), and the
    /// latest read-index round while reads wait for confirmation.
    mutating func broadcastHeartbeats() {
        let context = self.reads.hasPendingRounds ? self.reads.roundContext : []
        self.reads.heartbeatPending = false
        for position in self.tracker.members.indices where self.tracker.members[position].id != self.id {
            let commit = min(self.tracker.members[position].match, self.log.committed)
            self.send(Message(type: .heartbeat, to: self.tracker.members[position].id, commit: commit,
                              context: context))
        }
    }

    // MARK: Proposals

    /// Appends a local proposal if leading, forwards it to the leader if following.
    mutating func propose(_ entry: Entry) throws(RaftError) {
        switch self.role {
        case .leader:
            try self.appendAsLeader(entry)
        case .follower:
            guard self.leader != .none, !self.config.disableProposalForwarding else { throw .proposalDropped }
            self.forward(Message(type: .propose, entries: [entry]), to: self.leader)
        case .candidate, .preCandidate:
            throw .proposalDropped
        }
    }

    /// Appends proposals a follower forwarded; the first refusal is reported, the rest still go in.
    mutating func appendForwardedProposals(_ entries: [Entry]) throws(RaftError) {
        var refusal: RaftError?
        for entry in entries {
            do {
                try self.appendAsLeader(entry)
            } catch {
                refusal = refusal ?? error
            }
        }
        if let refusal { throw refusal }
    }

    private mutating func appendAsLeader(_ proposed: Entry) throws(RaftError) {
        // A leader that removed itself keeps its role only until it steps down; it takes nothing new.
        guard self.tracker.position(of: self.id) != nil, self.leadTransferee == .none else {
            throw .proposalDropped
        }
        let size = proposed.data.count
        if self.uncommittedBytes > 0 && self.uncommittedBytes + size > self.config.maxUncommittedEntriesBytes {
            throw .proposalDropped
        }
        let index = self.log.lastIndex + 1
        if proposed.kind == .confChange {
            try self.admitConfChange(proposed, at: index)
        }
        self.uncommittedBytes += size
        self.log.appendOne(Entry(term: self.term, index: index, kind: proposed.kind, data: proposed.data))
        self.flushPending = true
    }

    /// Raft §6 (single-server changes): one change at a time, and never one that leaves no voter.
    private mutating func admitConfChange(_ entry: Entry, at index: UInt64) throws(RaftError) {
        guard self.pendingConfIndex <= self.log.applied else { throw .confChangePending }
        guard let change = try? ConfChange(decoding: entry.data) else { throw .proposalDropped }
        if self.membership.applying(change).voters.isEmpty { throw .confChangeRemovesLastVoter }
        self.pendingConfIndex = index
    }
}
