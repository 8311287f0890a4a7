import EtcdProto
import Foundation
import Logging
import Membership
import PeerTransport
import Raft
import Synchronization
import Telemetry

/// The member's switchboard: what the Raft loop, the apply loop and the peer transport report, routed to
/// the parts that act on it. It exists before those parts (they need it to be built), so the transport
/// and the state machine are attached once they exist.
final class ServerEvents: RaftLoopDelegate, StateMachineEvents, PeerTransportDelegate, Sendable {
    private struct Attached {
        var transport: PeerTransport?
        var stateMachine: MemberStateMachine?
    }

    private let inbox: BlockingQueue<RaftInput>
    private let leader: LeaderState
    private let proposals: ProposalRouter
    private let reads: ReadIndexCoordinator
    private let lessor: Lessor
    private let memberID: UInt64
    private let electionTimeout: Duration
    private let logger: Logger
    private let metrics: EtcdMetrics
    private let attached = Mutex(Attached())
    private let removal: AsyncStream<Void>.Continuation
    private let quotaAlarm: AsyncStream<Void>.Continuation
    /// The commit index Raft last reported (Status's raftIndex).
    let committedIndex = Atomic<UInt64>(0)
    /// Yields once when this member learns it was removed from the cluster; the member then stops.
    let removed: AsyncStream<Void>
    /// Yields when an applied request went over the backend quota; the member then raises NOSPACE.
    let quotaExceededSignals: AsyncStream<Void>
    let snapshotDirectory: String

    init(
        inbox: BlockingQueue<RaftInput>,
        leader: LeaderState,
        proposals: ProposalRouter,
        reads: ReadIndexCoordinator,
        lessor: Lessor,
        memberID: UInt64,
        electionTimeout: Duration,
        snapshotDirectory: String,
        metrics: EtcdMetrics,
        logger: Logger
    ) {
        self.metrics = metrics
        self.inbox = inbox
        self.leader = leader
        self.proposals = proposals
        self.reads = reads
        self.lessor = lessor
        self.memberID = memberID
        self.electionTimeout = electionTimeout
        self.snapshotDirectory = snapshotDirectory
        self.logger = logger
        (self.removed, self.removal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        (self.quotaExceededSignals, self.quotaAlarm) = AsyncStream.makeStream(
            of: Void.self, bufferingPolicy: .bufferingNewest(1)
        )
    }

    func attach(transport: PeerTransport, stateMachine: MemberStateMachine) {
        self.attached.withLock {
            $0.transport = transport
            $0.stateMachine = stateMachine
        }
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

    func proposalRejected(id: UInt64, error: RaftError) {
        self.proposals.rejected(id, error: error)
    }

    func committed(upTo index: UInt64) {
        self.committedIndex.store(index, ordering: .relaxed)
    }

    // MARK: State machine

    func membershipChanged(_ membership: ClusterMembership) {
        guard let transport = self.attached.withLock({ $0.transport }) else { return }
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

    func storesReplaced(_ stores: StateStores) {}

    func quotaExceeded() {
        self.quotaAlarm.yield()
    }

    // MARK: Peer transport

    func receive(_ message: Raft.Message) {
        self.inbox.push(.message(message))
    }

    func receiveSnapshot(_ message: Raft.Message, databasePath: String) async throws {
        guard let index = message.snapshot?.metadata.index else {
            throw PeerProtocolError("a snapshot message without a snapshot")
        }
        let target = MemberStateMachine.receivedDatabasePath(snapshotDirectory: self.snapshotDirectory, index: index)
        if FileManager.default.fileExists(atPath: target) { try FileManager.default.removeItem(atPath: target) }
        try FileManager.default.moveItem(atPath: databasePath, toPath: target)
        self.inbox.push(.message(message))
    }

    func clusterMembers() -> Memberpb_ClusterMembers {
        var answer = Memberpb_ClusterMembers()
        guard let membership = self.attached.withLock({ $0.stateMachine })?.current.membership else { return answer }
        answer.clusterID = membership.clusterID
        answer.members = membership.sortedMembers.map(\.record)
        answer.removed = membership.removed.sorted()
        return answer
    }

    func answerLeaderQuery(_ request: Memberpb_LeaderRequest) async -> Memberpb_LeaderReply {
        var reply = Memberpb_LeaderReply()
        guard self.leader.current.role == .leader else {
            reply.notLeader = true
            return reply
        }
        switch request.request {
        case .leaseRenew(let id):
            reply.ttl = self.lessor.renew(id: id, now: .now) ?? -1
            if reply.ttl >= 0 { self.metrics.lease.renewedTotal.increment() }
        case .leaseTimeToLive(let id):
            if let ttl = self.lessor.timeToLive(id: id, now: .now) {
                reply.ttl = ttl.remaining
                reply.grantedTtl = ttl.granted
            } else {
                reply.ttl = -1
            }
        case .learnerProgress(let id):
            do {
                reply.learnerReady = try await self.isLearnerReady(id)
            } catch let error as EtcdError {
                reply.error = error.message
            } catch {
                reply.error = "\(error)"
            }
        case .none:
            reply.error = "empty leader query"
        }
        return reply
    }

    /// etcd's rule: a learner may be promoted once its log holds 90% of the leader's.
    func isLearnerReady(_ id: UInt64) async throws -> Bool {
        let status = await withCheckedContinuation { continuation in
            self.inbox.push(.status { continuation.resume(returning: $0) })
        }
        guard let learner = status.progress[id], learner.isLearner else { throw EtcdError.memberNotLearner }
        let leaderMatch = status.progress[self.memberID]?.match ?? status.basic.hardState.commit
        return Double(learner.match) >= Double(leaderMatch) * Self.learnerReadyFraction
    }

    /// The share of the leader's log a learner must hold before promotion (etcd's `readyPercent`).
    static let learnerReadyFraction = 0.9

    func answerHashKV(_ request: Etcdserverpb_HashKVRequest) async -> Memberpb_HashKVReply {
        var reply = Memberpb_HashKVReply()
        guard let store = self.attached.withLock({ $0.stateMachine })?.current.stores.store else {
            reply.code = Int32(EtcdError.notCapable.code.rawValue)
            reply.error = EtcdError.notCapable.message
            return reply
        }
        do {
            reply.response = try store.hashKVResponse(revision: request.revision, metrics: self.metrics.mvcc)
            reply.response.header.memberID = self.memberID
        } catch {
            let failure = EtcdError(error)
            reply.code = Int32(failure.code.rawValue)
            reply.error = failure.message
        }
        return reply
    }

    func isRemoved(_ memberID: UInt64) -> Bool {
        self.attached.withLock { $0.stateMachine }?.current.membership.removed.contains(memberID) ?? false
    }

    func unreachable(_ peerID: UInt64) {
        self.inbox.push(.unreachable(peerID))
    }
}
