/// The Raft algorithm for one member: the state of Raft's Figure 2 plus the leader's replication bookkeeping,
/// changed only by ``step(_:)``, ``tick()`` and the owner's calls through ``RawNode``. It never performs I/O: it
/// reads its ``Storage`` and queues messages, which ``RawNode`` hands out in a ``Ready``.
///
/// Leader-only state (the tracker, transfer target, pending reads, uncommitted size) is reset on every role change.
/// A value type owned by ``RawNode``, so that its many field accesses need no runtime exclusivity checks.
struct RaftCore {
    let id: NodeID
    let config: RaftConfig

    // Persistent state (Raft Figure 2), saved through the hard state of a Ready.
    var term: UInt64 = 0
    var vote: NodeID = .none
    var log: RaftLog

    var membership: Membership
    var role: RaftRole = .follower
    var leader: NodeID = .none

    // Leader state.
    var tracker = ProgressTracker()
    var leadTransferee: NodeID = .none
    /// A configuration change may be proposed only once the owner has applied past this index.
    var pendingConfIndex: UInt64 = 0
    var uncommittedBytes = 0
    var reads = ReadIndexQueue()
    /// Followers may have appends or heartbeats due; ``flush()`` sends them.
    var flushPending = false

    // Candidate state.
    var votes = VoteTally()

    // Timers, in ticks.
    var electionElapsed = 0
    var heartbeatElapsed = 0
    var randomizedElectionTimeout = 0
    private var random: SplitMix64

    // Output, drained by each Ready.
    var messages: [Message] = []
    var messagesAfterPersist: [Message] = []
    var readStates: [ReadState] = []

    init(config: RaftConfig, storage: any Storage) {
        self.id = config.id
        self.config = config
        self.random = SplitMix64(seed: config.randomSeed)
        self.log = RaftLog(storage: storage, maxCommittedBytesPerReady: config.maxCommittedBytesPerReady)
        let (hardState, confState) = storage.initialState()
        self.membership = Membership(confState)
        if !hardState.isEmpty {
            self.log.setCommitted(hardState.commit)
            self.term = hardState.term
            self.vote = hardState.vote
        }
        if config.appliedIndex > 0 {
            self.log.applied(to: max(config.appliedIndex, self.log.applied))
        }
        self.becomeFollower(term: self.term, leader: .none)
    }

    var softState: SoftState { SoftState(leader: self.leader, role: self.role) }

    var hardState: HardState { HardState(term: self.term, vote: self.vote, commit: self.log.committed) }

    /// Whether this member may campaign: it is a voter in its own configuration.
    var isPromotable: Bool { self.membership.isVoter(self.id) }

    // MARK: Role transitions

    private mutating func reset(term: UInt64) {
        if self.term != term {
            self.term = term
            self.vote = .none
        }
        self.leader = .none
        self.electionElapsed = 0
        self.heartbeatElapsed = 0
        self.randomizedElectionTimeout = self.config.electionTicks
            + Int(self.random.next() % UInt64(self.config.electionTicks))
        self.leadTransferee = .none
        self.votes.reset()
        self.tracker = ProgressTracker()
        self.pendingConfIndex = 0
        self.uncommittedBytes = 0
        self.reads.reset()
        self.flushPending = false
    }

    mutating func becomeFollower(term: UInt64, leader: NodeID) {
        self.reset(term: term)
        self.leader = leader
        self.role = .follower
    }

    mutating func becomeCandidate() {
        precondition(self.role != .leader, "invalid transition leader -> candidate")
        self.reset(term: self.term + 1)
        self.vote = self.id
        self.role = .candidate
    }

    /// Unlike a candidate, a pre-candidate keeps its term and vote: it only asks whether it could win.
    mutating func becomePreCandidate() {
        precondition(self.role != .leader, "invalid transition leader -> preCandidate")
        self.votes.reset()
        self.leader = .none
        self.role = .preCandidate
    }

    mutating func becomeLeader() {
        precondition(self.role != .follower, "invalid transition follower -> leader")
        self.reset(term: self.term)
        self.leader = self.id
        self.role = .leader
        let next = self.log.lastIndex + 1
        for member in self.membership.voters + self.membership.learners {
            self.tracker.members.append(self.makeProgress(member, next: next))
        }
        if let own = self.tracker.position(of: self.id) {
            // A leader counts its own entries toward a quorum only once they are durable (see `advance`).
            _ = self.tracker.members[own].maybeUpdate(self.log.persistedLastIndex)
            self.tracker.members[own].becomeReplicate()
        }
        // Any configuration change in the log may still be unapplied; refuse new ones until all of it is applied.
        self.pendingConfIndex = self.log.lastIndex
        // Raft §5.4.2 and §8: an entry of the new term lets earlier entries commit and read-index requests proceed.
        // Its empty payload does not count against the uncommitted-size limit.
        self.log.appendOne(Entry(term: self.term, index: self.log.lastIndex + 1))
        self.flushPending = true
    }

    func makeProgress(_ member: NodeID, next: UInt64) -> Progress {
        Progress(
            id: member,
            next: next,
            isLearner: self.membership.isLearner(member),
            recentActive: member == self.id,
            maxInflight: self.config.maxInflightMessages,
            maxInflightBytes: self.config.maxInflightBytes
        )
    }

    // MARK: Output

    /// Queues a message from this member, stamping its term. Votes carry the term they are for; forwarded proposals
    /// and read requests carry none, because they are not part of the sender's term.
    mutating func send(_ message: Message) {
        var outgoing = message
        outgoing.from = self.id
        switch outgoing.type {
        case .vote, .voteResponse, .preVote, .preVoteResponse:
            precondition(outgoing.term != 0, "\(outgoing.type) sent without a term")
        case .propose, .readIndex:
            outgoing.term = 0
        default:
            outgoing.term = self.term
        }
        self.enqueue(outgoing)
    }

    /// Passes a request on to the leader unchanged apart from its destination: a transfer request keeps naming the
    /// transferee in `from`.
    mutating func forward(_ message: Message, to leader: NodeID) {
        var outgoing = message
        outgoing.to = leader
        outgoing.term = 0
        if outgoing.type != .transferLeader { outgoing.from = self.id }
        self.enqueue(outgoing)
    }

    private mutating func enqueue(_ message: Message) {
        if message.type.waitsForPersistence {
            if self.messagesAfterPersist.isEmpty { self.messagesAfterPersist.reserveCapacity(self.outboxCapacity) }
            self.messagesAfterPersist.append(message)
        } else {
            if self.messages.isEmpty { self.messages.reserveCapacity(self.outboxCapacity) }
            self.messages.append(message)
        }
    }

    /// Each Ready takes the outboxes away; reserving room for a message per member avoids regrowing them.
    private var outboxCapacity: Int {
        max(Self.minimumOutboxCapacity, self.membership.voters.count + self.membership.learners.count)
    }

    private static let minimumOutboxCapacity = 4
}
