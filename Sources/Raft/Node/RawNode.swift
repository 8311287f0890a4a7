/// One member of a Raft group as a synchronous state machine: time, messages and requests go in through
/// ``tick()``, ``step(_:)`` and the request methods; work comes out as a ``Ready``, acknowledged with
/// ``advance(_:)``. It performs no I/O, reads no clock and starts no threads; election jitter comes from
/// ``RaftConfig/randomSeed``.
///
/// Threading: not thread-safe. One owner drives it (and its ``Storage``) from one thread or serial executor.
///
/// Starting a new group: give every founding member a storage holding a snapshot (index 1 or more, any term) whose
/// ``SnapshotMetadata/confState`` lists the founding voters. A member joining later starts from empty storage and
/// receives the leader's snapshot once a configuration change adds it. Restarting: pass the storage as persisted;
/// set ``RaftConfig/appliedIndex`` to skip entries the state machine has applied, or leave it zero to re-apply
/// committed entries after the snapshot (configuration changes among them must then be applied again).
public final class RawNode {
    private var core: RaftCore
    private var previousSoftState: SoftState
    private var previousHardState: HardState
    private var readyOutstanding = false

    /// Creates a member from its configuration and its persisted state.
    ///
    /// - Throws: ``ConfigError`` when the configuration is invalid.
    /// - Precondition: the storage's hard-state commit index lies within its log, and the configured applied index
    ///   does not exceed it.
    public init(config: RaftConfig, storage: any Storage) throws(ConfigError) {
        try config.validate()
        self.core = RaftCore(config: config, storage: storage)
        self.previousSoftState = self.core.softState
        self.previousHardState = self.core.hardState
    }

    /// Advances the logical clock one tick. Heartbeat and election timeouts are counted in ticks.
    public func tick() {
        self.core.tick()
    }

    /// Starts an election now (with a pre-vote first when configured). Ignored by a leader, by a member that is not
    /// a voter, and while a committed configuration change is unapplied.
    public func campaign() {
        self.core.hup()
    }

    /// Proposes `data` for the log. A leader appends it; a follower forwards it to its leader. Acceptance is no
    /// promise of commitment: the entry may be lost with a leadership change, so the owner matches committed
    /// entries to its proposals and retries on a timeout.
    ///
    /// - Throws: ``RaftError/proposalDropped`` when there is no leader, a leadership transfer is in progress, the
    ///   uncommitted-size limit is reached, or forwarding is disabled.
    public func propose(_ data: [UInt8]) throws(RaftError) {
        try self.core.propose(Entry(term: 0, index: 0, kind: .normal, data: data))
    }

    /// Proposes a configuration change. It takes effect on each member when the owner applies its committed entry
    /// with ``applyConfChange(_:)``.
    ///
    /// - Throws: ``RaftError/confChangePending`` while an earlier change is unapplied on the leader,
    ///   ``RaftError/confChangeRemovesLastVoter``, or ``RaftError/proposalDropped`` as for ``propose(_:)``.
    ///   A follower forwards without checking; the leader drops a forwarded change it would refuse.
    public func proposeConfChange(_ change: ConfChange) throws(RaftError) {
        try self.core.propose(Entry(term: 0, index: 0, kind: .confChange, data: change.encoded()))
    }

    /// Applies a committed configuration change and returns the configuration now in force, which the owner saves
    /// with its next snapshot. Call it while applying the change's entry, before ``advance(_:)``.
    ///
    /// - Precondition: the change does not remove the last voter (the leader refuses to propose such a change).
    @discardableResult
    public func applyConfChange(_ change: ConfChange) -> ConfState {
        self.core.applyConfChange(change)
    }

    /// Handles a message from another member.
    ///
    /// - Throws: ``RaftError/stepLocalMessage`` for a type that never crosses the network,
    ///   ``RaftError/stepPeerNotFound`` for a response from a member outside the configuration, and
    ///   ``RaftError/proposalDropped`` when a forwarded proposal is refused. The owner logs and goes on.
    public func step(_ message: Message) throws(RaftError) {
        if message.type.isLocal { throw .stepLocalMessage }
        if message.type.isResponse && !self.core.membership.contains(message.from) { throw .stepPeerNotFound }
        try self.core.step(message)
    }

    /// Asks for a linearizable read index. The answer arrives as a ``ReadState`` with the same context in a later
    /// ``Ready`` (on this member, even when the leader answered); requests may be lost with a leadership change,
    /// so the owner times out and retries. Contexts should be unique.
    ///
    /// - Throws: ``RaftError/readIndexDropped`` when there is no leader or the leader's queue is full.
    public func readIndex(context: [UInt8]) throws(RaftError) {
        try self.core.readIndex(context: context)
    }

    /// The index ``readIndex(context:)`` would answer at once, without a round: the commit index while this member
    /// leads as the only voter and has committed an entry of its term (nobody else can lead or commit meanwhile);
    /// nil otherwise. An owner that samples it on the thread driving the node, before sending the messages of the
    /// next ``Ready``, may serve a linearizable read at that index from any thread without asking.
    public var immediateReadIndex: UInt64? { self.core.immediateReadIndex }

    /// Asks the leader to hand leadership to `transferee` (a voter), which campaigns once its log is caught up.
    /// Ignored without a known leader; proposals are dropped while the transfer runs (at most an election timeout).
    public func transferLeadership(to transferee: NodeID) {
        try? self.core.step(Message(type: .transferLeader, from: transferee))
    }

    /// Reports that the last message to `id` could not be sent, so a leader stops streaming appends to it.
    public func reportUnreachable(_ id: NodeID) {
        try? self.core.step(Message(type: .unreachable, from: id))
    }

    /// Reports the outcome of sending a snapshot to `id`; required after every snapshot message, or the leader
    /// keeps waiting for that follower.
    public func reportSnapshot(_ id: NodeID, status: SnapshotStatus) {
        try? self.core.step(Message(type: .snapshotStatus, from: id, reject: status == .failed))
    }

    /// The current term: a proposal taken now is appended (or forwarded to the leader) in it.
    public var term: UInt64 { self.core.term }

    /// The index of the leader's snapshot this member has taken and not yet seen persisted: after stepping a
    /// snapshot message, whether Raft took it (a snapshot that adds nothing is turned down).
    public var pendingSnapshotIndex: UInt64? { self.core.log.unstable.snapshot?.metadata.index }

    /// The member's state without per-follower progress.
    public var basicStatus: BasicStatus {
        BasicStatus(
            id: self.core.id,
            hardState: self.core.hardState,
            softState: self.core.softState,
            applied: self.core.log.applied,
            leadTransferee: self.core.leadTransferee
        )
    }

    /// The member's state, with every member's progress when leading.
    public func status() -> Status {
        var progress: [NodeID: ProgressStatus] = [:]
        if self.core.role == .leader {
            for member in self.core.tracker.members {
                progress[member.id] = ProgressStatus(member)
            }
        }
        return Status(basic: self.basicStatus, confState: self.core.membership.confState, progress: progress)
    }

    /// Whether ``ready()`` has work. False while a Ready is outstanding (not yet advanced).
    public func hasReady() -> Bool {
        guard !self.readyOutstanding else { return false }
        self.core.flush()
        return self.core.softState != self.previousSoftState
            || self.core.hardState != self.previousHardState
            || self.core.log.unstable.hasUnhandedState
            || self.core.log.hasCommittedEntriesToApply
            || !self.core.messages.isEmpty
            || !self.core.messagesAfterPersist.isEmpty
            || !self.core.readStates.isEmpty
    }

    /// Takes the pending work. The owner handles it as ``Ready`` describes, then calls ``advance(_:)`` before the
    /// next call to ``ready()``; steps, ticks and requests may come in between.
    ///
    /// - Precondition: the previous Ready has been advanced.
    public func ready() -> Ready {
        precondition(!self.readyOutstanding, "ready() called before advance() of the previous Ready")
        self.core.flush()
        var ready = Ready()
        let softState = self.core.softState
        if softState != self.previousSoftState {
            ready.softState = softState
            self.previousSoftState = softState
        }
        let hardState = self.core.hardState
        if hardState != self.previousHardState {
            ready.hardState = hardState
        }
        if let snapshot = self.core.log.takeSnapshotToPersist() {
            ready.snapshot = snapshot
            self.core.log.snapshotHandedOut(index: snapshot.metadata.index)
        }
        ready.entries = self.core.log.takeEntriesToPersist()
        ready.committedEntries = self.core.log.takeCommittedEntries()
        swap(&ready.messages, &self.core.messages)
        swap(&ready.messagesAfterPersist, &self.core.messagesAfterPersist)
        swap(&ready.readStates, &self.core.readStates)
        ready.mustSync = !ready.entries.isEmpty || ready.snapshot != nil
            || hardState.term != self.previousHardState.term || hardState.vote != self.previousHardState.vote
        self.readyOutstanding = true
        return ready
    }

    /// Acknowledges that the owner persisted and applied `ready`: its entries and snapshot become stable, its
    /// committed entries applied, and a leader counts its own durable entries toward commitment.
    ///
    /// - Precondition: `ready` is the outstanding Ready.
    public func advance(_ ready: Ready) {
        precondition(self.readyOutstanding, "advance() without an outstanding Ready")
        self.readyOutstanding = false
        if let hardState = ready.hardState {
            self.previousHardState = hardState
        }
        self.core.advance(ready)
    }
}
