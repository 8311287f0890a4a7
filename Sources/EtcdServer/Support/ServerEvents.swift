import GoFormat
import Lease
import Logging
import Membership
import PeerTransport
import Raft
import Synchronization
import Telemetry

/// The member's switchboard: what the Raft loop and the apply loop report, routed to the parts that act
/// on it. It exists before those parts (they need it to be built), so the transport is attached once it
/// exists. What peers send and ask goes through ``PeerLink`` instead.
final class ServerEvents: RaftLoopDelegate, StateMachineEvents, Sendable {
    private let inbox: RaftInbox
    private let leader: LeaderState
    private let proposals: ProposalRouter
    private let reads: ReadIndexCoordinator
    private let lessor: Lessor
    private let memberID: UInt64
    private let electionTimeout: Duration
    private let metrics: ServerMetrics
    private let logger: Logger
    private let transport = Mutex<PeerTransport?>(nil)
    private let removal: AsyncStream<Void>.Continuation
    private let quotaAlarm: AsyncStream<Void>.Continuation
    /// The commit index Raft last reported (Status's raftIndex).
    let committedIndex = Atomic<UInt64>(0)
    /// Yields once when this member learns it was removed from the cluster; the member then stops.
    let removed: AsyncStream<Void>
    /// Yields when an applied request went over the backend quota; the member then raises NOSPACE.
    let quotaExceededSignals: AsyncStream<Void>

    init(
        inbox: RaftInbox,
        leader: LeaderState,
        proposals: ProposalRouter,
        reads: ReadIndexCoordinator,
        lessor: Lessor,
        memberID: UInt64,
        electionTimeout: Duration,
        metrics: ServerMetrics,
        logger: Logger
    ) {
        self.inbox = inbox
        self.leader = leader
        self.proposals = proposals
        self.reads = reads
        self.lessor = lessor
        self.memberID = memberID
        self.electionTimeout = electionTimeout
        self.metrics = metrics
        self.logger = logger
        (self.removed, self.removal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        (self.quotaExceededSignals, self.quotaAlarm) = AsyncStream.makeStream(
            of: Void.self, bufferingPolicy: .bufferingNewest(1)
        )
    }

    func attach(transport: PeerTransport) {
        self.transport.withLock { $0 = transport }
    }

    // MARK: Raft loop

    func leadershipChanged(_ state: SoftState, term: UInt64) {
        let before = self.leader.current
        let changed = self.leader.update(state, term: term)
        if state.role == .leader && before.role != .leader {
            self.lessor.promote(extend: self.electionTimeout, now: .now)
        } else if state.role != .leader && before.role == .leader {
            self.lessor.demote()
        }
        guard changed else { return }
        self.reads.leaderChanged()
        if state.leader == .none {
            self.logger.info("lost the leader", metadata: ["term": "\(term)"])
        } else {
            self.logger.info(
                state.leader == self.memberID ? "became the leader" : "elected a leader",
                metadata: ["leader": "\(String(state.leader, radix: 16))", "term": "\(term)"]
            )
            self.proposals.leaderElected()
        }
    }

    func readStatesConfirmed(_ states: [ReadState]) {
        self.reads.confirmed(states)
    }

    func immediateReadIndexChanged(to index: UInt64?) {
        self.reads.immediateReadIndexChanged(to: index)
    }

    func proposalAccepted(id: UInt64, term: UInt64) {
        self.proposals.accepted(id, term: term)
    }

    func proposalRejected(id: UInt64, error: RaftError) {
        self.proposals.rejected(id, error: error)
    }

    func committed(upTo index: UInt64) {
        self.committedIndex.store(index, ordering: .relaxed)
    }

    func heartbeatSentLate(to peer: UInt64, exceededBy: Duration, heartbeatInterval: Duration, expectedGap: Duration) {
        self.metrics.heartbeatSendFailures.increment()
        self.logger.warning(
            "leader failed to send out heartbeat on time; took too long, leader is overloaded likely from slow disk",
            metadata: [
                "to": "\(String(peer, radix: 16))",
                "heartbeat-interval": "\(heartbeatInterval.goString)",
                "expected-duration": "\(expectedGap.goString)",
                "exceeded-duration": "\(exceededBy.goString)",
            ]
        )
    }

    // MARK: State machine

    func membershipChanged(_ membership: ClusterMembership) {
        guard let transport = self.transport.withLock({ $0 }) else { return }
        for member in membership.members.values where member.id != self.memberID {
            do {
                try transport.addPeer(member.id, urls: member.peerURLs)
            } catch {
                self.logger.error("cannot reach a member", metadata: ["member": "\(String(member.id, radix: 16))", "error": "\(error)"])
            }
        }
        for id in membership.removed { transport.removePeer(id) }
    }

    func removedFromCluster() {
        self.logger.warning("this member was removed from the cluster; stopping")
        self.removal.yield()
    }

    func backendDurable(through metadata: SnapshotMetadata) {
        self.inbox.push(.compactLog(metadata))
    }

    func quotaExceeded() {
        self.quotaAlarm.yield()
    }
}
