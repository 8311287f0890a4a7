import Raft

extension Simulation {
    // MARK: Faults

    func injectFaults() {
        if self.network.isPartitioned {
            if self.random.chance(0.05) { self.network.heal() }
        } else if self.random.chance(self.parameters.partitionRate) {
            self.partition()
        }
        if self.random.chance(self.parameters.crashRate * Double(self.members.count)),
           let victim = self.random.pick(self.members.filter(\.isRunning)) {
            victim.crash()
            victim.restartAt = self.round + 5 + self.random.below(40)
        }
    }

    /// Splits the running members in two, cutting both directions or only one.
    private func partition() {
        let ids = self.members.filter(\.isRunning).map(\.id).shuffled(using: &self.random)
        guard ids.count >= 2 else { return }
        let cut = 1 + self.random.below(ids.count - 1)
        let oneWay = self.random.chance(0.3)
        for from in ids[..<cut] {
            for to in ids[cut...] {
                self.network.block(from: from, to: to)
                if !oneWay { self.network.block(from: to, to: from) }
            }
        }
    }

    /// Brings crashed members back when due, and stops members removed from the configuration a while ago (as an
    /// etcd member shuts down once it learns it was removed), resuming them if a later change adds them back.
    func restartAndStopMembers() throws(SimViolation) {
        let config = self.checker.latestConfig
        for member in self.members {
            let inConfig = config.voters.contains(member.id) || config.learners.contains(member.id)
            if inConfig {
                member.stopAt = nil
            } else if member.stopAt == nil {
                member.stopAt = self.round + 3 * self.parameters.electionTicks
            }
            if let stopAt = member.stopAt, stopAt <= self.round {
                member.crash()
                member.restartAt = nil
                continue
            }
            if !member.isRunning, let restartAt = member.restartAt, restartAt <= self.round {
                member.restartAt = nil
                member.start()
            }
        }
    }

    /// Creates members the configuration added, so the leader can reach them.
    func configurationChanged() {
        let config = self.checker.latestConfig
        for id in config.voters + config.learners where self.member(id) == nil {
            self.makeMember(id).start()
        }
    }

    /// Ends the faults: the network heals and turns reliable and ordered, crashed members restart.
    func heal() throws(SimViolation) {
        self.network.heal()
        self.network.dropRate = 0
        self.network.duplicateRate = 0
        self.network.maxDelayRounds = 0
        self.network.reorders = false
        for member in self.members where !member.isRunning && member.stopAt == nil {
            member.restartAt = nil
            member.start()
        }
        self.livenessMarker = Array("live-\(self.seed)".utf8)
    }

    // MARK: Client actions

    var currentLeader: SimMember? {
        var best: (member: SimMember, term: UInt64)?
        for member in self.members {
            guard let status = member.node?.basicStatus, status.softState.role == .leader else { continue }
            if best == nil || status.hardState.term > best!.term { best = (member, status.hardState.term) }
        }
        return best?.member
    }

    func clientActions(liveness: Bool) throws(SimViolation) {
        if liveness {
            // Only the marker, so that catching up does not chase a moving target.
            if self.round % 5 == 0 && self.markerIndex == nil, let leader = self.currentLeader {
                try? leader.node?.propose(self.livenessMarker)
            }
            return
        }
        let running = self.members.filter(\.isRunning)
        if self.random.chance(self.parameters.proposalRate), let target = self.random.pick(running) {
            self.proposals += 1
            try? target.node?.propose(Array("p\(self.proposals)".utf8))
        }
        if self.random.chance(self.parameters.confChangeRate) { self.proposeConfChange() }
        if self.random.chance(self.parameters.compactionRate), let target = self.random.pick(running) {
            target.compact(keeping: UInt64(self.random.below(8)))
        }
        if self.random.chance(self.parameters.transferRate), let leader = self.currentLeader,
           let target = self.random.pick(self.checker.latestConfig.voters) {
            leader.node?.transferLeadership(to: target)
        }
        if self.random.chance(self.parameters.readIndexRate), let target = self.random.pick(running) {
            let context = Array("read-\(self.round)-\(target.id)".utf8)
            if (try? target.node?.readIndex(context: context)) != nil {
                self.readsAwaited[context] = self.checker.maxAppliedIndex
            }
        }
    }

    /// Proposes one membership change to the leader: add a learner or a voter, promote, demote or remove (the
    /// leader itself included), keeping enough voters for the group to stay live.
    private func proposeConfChange() {
        guard let leader = self.currentLeader, let node = leader.node else { return }
        let config = self.checker.latestConfig
        let minimumVoters = self.size == 3 ? 2 : 3
        let fresh = NodeID(self.size) + 1 + NodeID(self.members.count - self.size)
        let canAdd = fresh <= NodeID(self.size) + Self.spareMembers
        var options: [ConfChange] = []
        if canAdd {
            options.append(ConfChange(kind: .addLearner, nodeID: fresh))
            options.append(ConfChange(kind: .addVoter, nodeID: fresh))
        }
        for learner in config.learners {
            options.append(ConfChange(kind: .addVoter, nodeID: learner))
            options.append(ConfChange(kind: .remove, nodeID: learner))
        }
        if config.voters.count > minimumVoters {
            for voter in config.voters {
                options.append(ConfChange(kind: .remove, nodeID: voter))
                options.append(ConfChange(kind: .addLearner, nodeID: voter))
            }
        }
        if let any = self.random.pick(config.voters) { options.append(ConfChange(kind: .update, nodeID: any)) }
        guard let change = self.random.pick(options) else { return }
        try? node.proposeConfChange(change)
    }

    // MARK: Liveness

    /// Progress after healing: the marker proposal is committed and applied by every voter of the configuration
    /// (with `everyone`, by the learners too).
    func markerApplied(everyone: Bool) -> Bool {
        guard let index = self.markerIndex else { return false }
        let config = self.checker.latestConfig
        for id in config.voters + (everyone ? config.learners : []) {
            guard let member = self.member(id), member.isRunning, member.appliedIndex >= index else { return false }
        }
        return true
    }

    var markerIndex: UInt64? {
        let lowest = self.checker.maxCommittedIndex > 400 ? self.checker.maxCommittedIndex - 400 : 0
        guard lowest < self.checker.maxCommittedIndex else { return nil }
        for index in stride(from: self.checker.maxCommittedIndex, through: lowest + 1, by: -1) {
            if self.checker.committed[index]?.entry.data == self.livenessMarker { return index }
        }
        return nil
    }

    func stateSummary() -> String {
        let states = self.members.map { member -> String in
            guard let status = member.node?.basicStatus else { return "\(member.id):down" }
            return "\(member.id):\(status.softState.role)@\(status.hardState.term) commit=\(status.hardState.commit) "
                + "applied=\(member.appliedIndex)"
        }
        return "config \(Describe.confState(self.checker.latestConfig)); " + states.joined(separator: ", ")
    }
}
