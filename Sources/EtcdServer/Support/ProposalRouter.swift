import EtcdProto
import Raft
import Synchronization

/// Sends proposals to Raft and matches their outcomes to their callers.
///
/// A proposal waits for the apply loop to complete it by id. While there is no leader Raft drops
/// proposals; like etcd, which blocks proposals until a leader appears, the router parks them and submits
/// them again when a leader is known, so they succeed or time out (`etcdserver: request timed out`).
///
/// A proposal Raft took in an earlier term than an entry being applied now was not in the log when the
/// leader changed: the new term's first entry commits after every entry that survived the change. It was
/// most likely sent to a leader that died or was cut off, so it fails then, with etcd's `request timed out,
/// possibly due to previous leader failure`, instead of holding its caller until the timeout: the client
/// tries again as soon as a leader is back. Like any timeout the outcome stays unknown: a forwarded
/// proposal still on its way reaches a member that passes it on to the new leader, which may apply it.
@_spi(Testing) public final class ProposalRouter: Sendable {
    /// Raft dropped the proposal for another reason (a leadership transfer in progress, too much uncommitted
    /// data): etcd returns raft's own message.
    static let dropped = EtcdError(.unknown, "raft proposal dropped")
    /// A membership change while another is committed but not yet applied. etcd's Raft turns such a change
    /// into an empty entry and its caller times out; we say why at once.
    static let membershipChangeInProgress = EtcdError(
        .failedPrecondition,
        "etcdserver: another membership change is in progress; retry once it is applied"
    )

    private struct Outstanding {
        /// Every proposal not yet completed, by id, so a dropped one can be submitted again, with the term
        /// Raft last took it in (none while it waits in the Raft loop's inbox or is parked). The term is the
        /// Raft loop's own, not this member's view of the leader, which a proposal submitted during an
        /// election can outrun.
        var proposals: [UInt64: (input: RaftInput, term: UInt64?)] = [:]
        /// Ids Raft dropped for want of a leader.
        var parked: Set<UInt64> = []
        /// The highest term of an entry applied so far.
        var appliedTerm: UInt64 = 0
    }

    private let waits = WaitRegistry<ApplyResult>()
    private let outstanding = Mutex(Outstanding())
    private let submit: @Sendable (RaftInput) -> Void
    private let leader: LeaderState
    private let timeout: Duration

    public init(leader: LeaderState, timeout: Duration, submit: @escaping @Sendable (RaftInput) -> Void) {
        self.leader = leader
        self.timeout = timeout
        self.submit = submit
    }

    /// Callers waiting for their proposals (etcd_server_proposals_pending).
    var pendingCount: Int { self.waits.count }

    /// Proposes `input` (a `.propose` or `.proposeConfChange` carrying `id`) and waits for its result.
    public func propose(_ input: RaftInput, id: UInt64) async throws -> ApplyResult {
        let leaderAtStart = self.leader.current
        self.outstanding.withLock { $0.proposals[id] = (input, nil) }
        defer {
            self.outstanding.withLock { outstanding in
                outstanding.proposals[id] = nil
                outstanding.parked.remove(id)
            }
        }
        do {
            return try await self.waits.wait(for: id, deadline: .now + self.timeout) { self.submit(input) }
        } catch let error as EtcdError where error == .timeout {
            let now = self.leader.current
            let leaderFailed = leaderAtStart.leader != .none && now.changes != leaderAtStart.changes
            throw leaderFailed ? EtcdError.timeoutDueToLeaderFail : EtcdError.timeout
        }
    }

    /// Fails proposals past their timeout, checking every `interval`, until cancelled.
    func expireOverdue(every interval: Duration) async {
        while (try? await Task.sleep(for: interval)) != nil {
            self.waits.expire(before: .now, with: EtcdError.timeout)
        }
    }

    /// The apply loop finished the proposal `id` (any member's; unknown ids are ignored).
    public func complete(_ id: UInt64, with result: ApplyResult) {
        self.waits.complete(id, with: result)
    }

    /// Raft took the proposal `id` in `term`.
    public func accepted(_ id: UInt64, term: UInt64) {
        self.outstanding.withLock { $0.proposals[id]?.term = term }
    }

    /// Raft refused the proposal `id`.
    public func rejected(_ id: UInt64, error: RaftError) {
        if error == .proposalDropped && !self.leader.hasLeader {
            self.outstanding.withLock { outstanding in
                guard outstanding.proposals[id] != nil else { return }
                outstanding.proposals[id]?.term = nil
                outstanding.parked.insert(id)
            }
            return
        }
        self.waits.fail(id, with: error == .confChangePending ? Self.membershipChangeInProgress : Self.dropped)
    }

    /// A leader appeared: submit the parked proposals again, oldest first.
    public func leaderElected() {
        let inputs: [RaftInput] = self.outstanding.withLock { outstanding in
            defer { outstanding.parked.removeAll() }
            return outstanding.parked.sorted().compactMap { outstanding.proposals[$0]?.input }
        }
        for input in inputs { self.submit(input) }
    }

    /// The apply loop is about to apply an entry (or install a snapshot) of `term`, the first of that term:
    /// every entry before it is applied. A proposal Raft took in an earlier term and still waiting was not
    /// among them; its caller gets the timeout now.
    public func applyingTerm(_ term: UInt64) {
        let lost: [UInt64] = self.outstanding.withLock { outstanding in
            guard term > outstanding.appliedTerm else { return [] }
            outstanding.appliedTerm = term
            return outstanding.proposals.compactMap { id, proposal in
                guard let taken = proposal.term, taken < term else { return nil }
                return id
            }
        }
        for id in lost { self.waits.fail(id, with: EtcdError.timeoutDueToLeaderFail) }
    }

    /// Fails every waiting proposal (the member is stopping).
    func failAll(with error: EtcdError) {
        self.waits.failAll(with: error)
    }
}
