@_spi(Testing) import EtcdServer
import EtcdProto
import Raft
import Synchronization
import Testing

/// The router fails a waiting proposal early only when Raft took it in a term that ended before it was
/// committed. Which term that is comes from the Raft loop, so a proposal submitted while a one-member
/// cluster elects itself is not mistaken for one lost with an old leader (the member used to publish its
/// attributes twice when its first proposal raced its own election).
@Suite struct ProposalRouterTests {
    /// Counts what the router hands to Raft.
    private final class Submissions: Sendable {
        private let count = Mutex(0)
        var value: Int { self.count.withLock { $0 } }
        func add() { self.count.withLock { $0 += 1 } }
        func wait(for count: Int) async throws {
            while self.value < count { try await Task.sleep(for: .milliseconds(1)) }
        }
    }

    /// A router whose submissions are counted, with no leader known yet.
    private static func router() -> (ProposalRouter, LeaderState, Submissions) {
        let leader = LeaderState()
        let submitted = Submissions()
        let router = ProposalRouter(leader: leader, timeout: .seconds(60)) { _ in submitted.add() }
        return (router, leader, submitted)
    }

    private static func proposal(_ id: UInt64) -> RaftInput { .propose(id: id, data: [UInt8(id)]) }

    @Test func aProposalRaftTookInTheNewTermOutlivesThatTermsFirstEntry() async throws {
        let (router, leader, submitted) = Self.router()
        leader.update(SoftState(leader: .none, role: .follower), term: 1)
        let waiting = Task { try await router.propose(Self.proposal(1), id: 1) }
        try await submitted.wait(for: 1)
        router.accepted(1, term: 2)
        router.applyingTerm(2)
        router.complete(1, with: .done)
        guard case .done = try await waiting.value else { Issue.record("another result than the one applied"); return }
    }

    @Test func aProposalRaftTookInAnEarlierTermFailsWhenALaterTermApplies() async throws {
        let (router, leader, submitted) = Self.router()
        leader.update(SoftState(leader: 7, role: .follower), term: 3)
        let waiting = Task { try await router.propose(Self.proposal(2), id: 2) }
        try await submitted.wait(for: 1)
        router.accepted(2, term: 3)
        router.applyingTerm(3)
        router.applyingTerm(4)
        await #expect(throws: EtcdError.timeoutDueToLeaderFail) { try await waiting.value }
    }

    @Test func aProposalNotYetTakenOrParkedForALeaderKeepsWaiting() async throws {
        let (router, leader, submitted) = Self.router()
        leader.update(SoftState(leader: .none, role: .follower), term: 1)
        let waiting = Task { try await router.propose(Self.proposal(3), id: 3) }
        try await submitted.wait(for: 1)
        router.applyingTerm(2)
        router.rejected(3, error: .proposalDropped)
        router.applyingTerm(3)
        leader.update(SoftState(leader: 9, role: .follower), term: 4)
        router.leaderElected()
        #expect(submitted.value == 2)
        router.accepted(3, term: 4)
        router.applyingTerm(4)
        router.complete(3, with: .done)
        guard case .done = try await waiting.value else { Issue.record("another result than the one applied"); return }
    }
}
