import Raft

/// A seeded in-memory cluster run: faults for a while, then healing, then a check that the group makes progress.
/// Invariants are checked after every step; the first violation ends the run.
final class Simulation {
    static let faultRounds = 300
    /// Rounds (ticks) after healing within which a leader must be elected and a proposal committed.
    static let livenessRounds = 300
    /// Further rounds within which every member must have applied that proposal.
    static let catchUpRounds = 1_500
    static let bootstrapIndex: UInt64 = 1
    static let bootstrapDigest: UInt64 = 0x5EED
    /// How many members beyond the founders a run may add.
    static let spareMembers: UInt64 = 3

    let seed: UInt64
    let size: Int
    var random: SimRandom
    let parameters: SimParameters
    var network = SimNetwork()
    let checker: SimChecker
    var members: [SimMember] = []
    var round = 0
    var proposals = 0
    /// Read-index requests in flight: context → the highest index applied anywhere when it was asked.
    var readsAwaited: [[UInt8]: UInt64] = [:]
    var livenessMarker: [UInt8] = []
    /// Terms of the members last seen leading, to spot new leaders.
    /// The term and commit index each member last had while leading.
    var leaderCommits: [NodeID: (term: UInt64, commit: UInt64)] = [:]
    /// Prints every round's state (set when replaying one seed with `RAFT_SIM_TRACE=1`).
    var trace = false

    init(seed: UInt64, size: Int) {
        self.seed = seed
        self.size = size
        self.random = SimRandom(seed: seed &* 0x9E37_79B9 &+ UInt64(size))
        self.parameters = SimParameters(&self.random)
        let founders = ConfState(voters: (1...UInt64(size)).map { $0 })
        self.checker = SimChecker(bootstrap: founders, bootstrapIndex: Self.bootstrapIndex,
                                  bootstrapDigest: Self.bootstrapDigest)
        self.network.dropRate = self.parameters.dropRate
        self.network.duplicateRate = self.parameters.duplicateRate
        self.network.maxDelayRounds = self.parameters.maxDelayRounds
        for id in founders.voters {
            let member = self.makeMember(id)
            member.bootstrap(founders, index: Self.bootstrapIndex, digest: Self.bootstrapDigest)
            member.start()
        }
    }

    /// A member with the seed's configuration; founders are bootstrapped by the caller, later members start empty.
    func makeMember(_ id: NodeID) -> SimMember {
        var config = RaftConfig(id: id, randomSeed: self.seed &* 31 &+ id)
        config.electionTicks = self.parameters.electionTicks
        config.heartbeatTicks = self.parameters.heartbeatTicks
        config.preVote = self.parameters.preVote
        config.checkQuorum = self.parameters.checkQuorum
        config.maxSizePerMessageBytes = self.parameters.maxSizePerMessageBytes
        config.maxInflightMessages = self.parameters.maxInflightMessages
        config.maxUncommittedEntriesBytes = 4096
        let member = SimMember(id: id, config: config)
        self.members.append(member)
        return member
    }

    func member(_ id: NodeID) -> SimMember? {
        self.members.first { $0.id == id }
    }

    /// Runs the seed; returns the first violation, or nil.
    func run() -> SimViolation? {
        do {
            while self.round < Self.faultRounds {
                try self.runRound(faults: true)
            }
            try self.heal()
            let deadline = self.round + Self.livenessRounds
            while !self.markerApplied(everyone: false) {
                guard self.round < deadline else {
                    return SimViolation("liveness: no commit within \(Self.livenessRounds) rounds after healing; "
                        + "\(self.stateSummary())")
                }
                try self.runRound(faults: false)
            }
            // Lagging members (learners on a slow link) catch up by replication or snapshot.
            let catchUpDeadline = self.round + Self.catchUpRounds
            while !self.markerApplied(everyone: true) {
                guard self.round < catchUpDeadline else {
                    return SimViolation("liveness: members did not catch up within \(Self.catchUpRounds) rounds; "
                        + "\(self.stateSummary())")
                }
                try self.runRound(faults: false)
            }
            return nil
        } catch {
            return SimViolation("round \(self.round): \(error.description)")
        }
    }

    private func runRound(faults: Bool) throws(SimViolation) {
        self.round += 1
        if self.trace { print("round \(self.round): \(self.stateSummary())") }
        if faults { self.injectFaults() }
        try self.restartAndStopMembers()
        try self.clientActions(liveness: !faults)
        for member in self.members.shuffled(using: &self.random) where member.isRunning {
            // An occasional skipped tick models clock drift between members.
            if self.random.chance(0.03) { continue }
            member.node?.tick()
            try self.observe(member)
        }
        for _ in 0..<4 {
            let moved = try self.deliverDue()
            let processed = try self.processReadies()
            if !moved && !processed { break }
        }
    }

    /// Checks what a step may have changed: leadership, and how a leader advances its commit index.
    func observe(_ member: SimMember) throws(SimViolation) {
        guard let status = member.node?.basicStatus, status.softState.role == .leader else { return }
        let term = status.hardState.term
        let commit = status.hardState.commit
        try self.checker.checkLeader(member.id, term: term)
        // Raft §5.4.2: a leader moves its commit index only onto an entry of its own term (earlier entries commit
        // with it). Checked when the entry is already in the leader's durable log.
        if let previous = self.leaderCommits[member.id], previous.term == term, commit > previous.commit,
           let committedTerm = try? member.storage.term(commit), committedTerm != term {
            throw SimViolation("commit rule: leader \(member.id) of term \(term) committed index \(commit) of term "
                + "\(committedTerm) by counting")
        }
        self.leaderCommits[member.id] = (term, commit)
    }

    // MARK: Messages

    private func deliverDue() throws(SimViolation) -> Bool {
        let due = self.network.takeDue(round: self.round, random: &self.random)
        for message in due {
            guard let target = self.member(message.to), let node = target.node,
                  !self.network.isBlocked(from: message.from, to: message.to) else {
                self.lost(message)
                continue
            }
            try? node.step(message)
            if message.type == .snapshot {
                self.member(message.from)?.node?.reportSnapshot(message.to, status: .finished)
            }
            try self.observe(target)
        }
        return !due.isEmpty
    }

    func send(_ messages: [Message]) {
        for message in messages where !self.network.send(message, round: self.round, random: &self.random) {
            self.lost(message)
        }
    }

    /// A lost snapshot is reported as failed, as a real transport would.
    private func lost(_ message: Message) {
        guard message.type == .snapshot, let sender = self.member(message.from)?.node else { return }
        sender.reportSnapshot(message.to, status: .failed)
    }

    // MARK: Readies

    private func processReadies() throws(SimViolation) -> Bool {
        var processed = false
        for member in self.members.shuffled(using: &self.random) where member.isRunning {
            if member.pending != nil {
                if self.random.chance(self.parameters.slowDiskRate) { continue }
                try self.finishReady(member)
                processed = true
            } else if let node = member.node, node.hasReady() {
                let ready = node.ready()
                member.pending = SimMember.PendingReady(ready: ready, term: node.basicStatus.hardState.term)
                // Appends and heartbeats may leave before the Ready is durable.
                self.send(ready.messages)
                processed = true
                if !self.random.chance(self.parameters.slowDiskRate) { try self.finishReady(member) }
            }
        }
        return processed
    }

    /// Persists a Ready, checks the log and commits it carries, sends what had to wait, applies, advances.
    private func finishReady(_ member: SimMember) throws(SimViolation) {
        guard let pending = member.pending, let node = member.node else { return }
        member.pending = nil
        let ready = pending.ready
        if let snapshot = ready.snapshot {
            do { try member.storage.applySnapshot(snapshot) } catch {
                throw SimViolation("\(member.id) cannot persist snapshot \(snapshot.metadata.index): \(error)")
            }
        }
        if let first = ready.entries.first {
            let previous = try? member.storage.term(first.index - 1)
            try self.checker.checkAppended(ready.entries, previousTerm: previous, by: member.id)
        }
        member.storage.append(ready.entries)
        if let hardState = ready.hardState { member.storage.setHardState(hardState) }
        try self.checkCommits(member, term: pending.term)
        if ready.softState?.role == .leader {
            try self.checker.checkLeaderCompleteness(member.id, term: pending.term, storage: member.storage)
        }
        self.send(ready.messagesAfterPersist)
        if let snapshot = ready.snapshot { try member.installSnapshot(snapshot, checker: self.checker) }
        for entry in ready.committedEntries {
            try member.apply(entry, commitTermBound: pending.term, checker: self.checker)
        }
        try self.checkReads(ready.readStates, at: member)
        node.advance(ready)
        if self.checker.advanceConfig() { self.configurationChanged() }
        try self.observe(member)
    }

    /// Every entry up to a member's commit index matches the global record of committed entries.
    private func checkCommits(_ member: SimMember, term: UInt64) throws(SimViolation) {
        let commit = member.storage.hardState.commit
        guard commit > member.commitChecked else { return }
        let first = max(member.commitChecked + 1, member.storage.firstIndex())
        member.commitChecked = commit
        guard first <= commit else { return }
        guard let entries = try? member.storage.entries(lo: first, hi: commit + 1, maxBytes: .max) else {
            throw SimViolation("\(member.id) committed \(commit) without holding entries from \(first)")
        }
        for entry in entries {
            try self.checker.recordCommitted(entry, commitTermBound: term, by: member.id)
        }
    }

    /// ReadIndex linearizability: a read index covers every write applied anywhere before the read was asked.
    private func checkReads(_ states: [ReadState], at member: SimMember) throws(SimViolation) {
        for state in states {
            guard let required = self.readsAwaited.removeValue(forKey: state.context) else { continue }
            guard state.index >= required else {
                throw SimViolation("read index \(state.index) at \(member.id) misses writes applied up to \(required)")
            }
        }
    }
}
