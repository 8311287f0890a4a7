import Raft
import Testing

/// Sentences of the Raft paper (Ongaro and Ousterhout, 2014) about terms and elections, each tested on its own.
@Suite("Paper: terms and elections")
struct ElectionTests {
    /// §5.1: "If a candidate or leader discovers that its term is out of date, it immediately reverts to follower
    /// state."
    @Test func leaderRevertsToFollowerOnNewerTerm() throws {
        let env = InteractionEnv()
        try env.addNodes(3, voters: [1, 2, 3])
        try env.member(1).node.campaign()
        _ = try env.stabilize()
        let leader = try env.member(1).node
        #expect(leader.basicStatus.softState.role == .leader)
        try leader.step(Message(type: .append, to: 1, from: 2, term: 5, logTerm: 1, index: 1))
        #expect(leader.basicStatus.softState.role == .follower)
        #expect(leader.basicStatus.hardState.term == 5)
        #expect(leader.basicStatus.softState.leader == 2)
    }

    /// §5.1: "If a server receives a request with a stale term number, it rejects the request."
    @Test func staleTermRequestIsRejected() throws {
        let follower = try TestNode(id: 1, voters: [1, 2, 3], hardState: HardState(term: 3, vote: .none, commit: 1))
        try follower.node.step(Message(type: .vote, to: 1, from: 2, term: 2, logTerm: 1, index: 1))
        let ready = try follower.drain()
        #expect(follower.status.hardState.vote == .none)
        #expect(!TestNode.messages(ready).contains { $0.type == .voteResponse && !$0.reject })
    }

    /// §5.2: "Each server will vote for at most one candidate in a given term, on a first-come-first-served
    /// basis", and the vote survives a restart because it is persisted before the response is sent.
    @Test func votesOncePerTermEvenAcrossRestart() throws {
        let voter = try TestNode(id: 3, voters: [1, 2, 3], configure: { $0.checkQuorum = false })
        try voter.node.step(Message(type: .vote, to: 3, from: 1, term: 2, logTerm: 1, index: 1))
        let first = try voter.drain()
        #expect(first.messagesAfterPersist.contains { $0.type == .voteResponse && $0.to == 1 && !$0.reject })
        #expect(first.hardState?.vote == 1)
        #expect(first.mustSync)

        try voter.node.step(Message(type: .vote, to: 3, from: 2, term: 2, logTerm: 1, index: 1))
        let second = try voter.drain()
        #expect(second.messagesAfterPersist.contains { $0.type == .voteResponse && $0.to == 2 && $0.reject })

        var config = RaftConfig(id: 3, randomSeed: 9)
        config.checkQuorum = false
        let restarted = try RawNode(config: config, storage: voter.storage)
        try restarted.step(Message(type: .vote, to: 3, from: 2, term: 2, logTerm: 1, index: 1))
        let afterRestart = restarted.ready()
        #expect(afterRestart.messagesAfterPersist.contains { $0.type == .voteResponse && $0.to == 2 && $0.reject })
    }

    /// §5.2: "Raft uses randomized election timeouts ... chosen randomly from a fixed interval": with election
    /// timeout E a follower campaigns after E to 2E-1 ticks, and different seeds spread the choice.
    @Test func electionTimeoutIsRandomizedWithinInterval() throws {
        let electionTicks = 10
        var observed = Set<Int>()
        for seed in 0..<64 as Range<UInt64> {
            let follower = try TestNode(id: 1, voters: [1, 2, 3]) {
                $0.randomSeed = seed
                $0.electionTicks = electionTicks
            }
            var ticks = 0
            while follower.status.softState.role == .follower && ticks < 3 * electionTicks {
                follower.node.tick()
                ticks += 1
            }
            #expect(ticks >= electionTicks && ticks < 2 * electionTicks)
            observed.insert(ticks)
        }
        #expect(observed.count >= electionTicks / 2)
    }

    /// §5.4.1: "the voter denies its vote if its own log is more up-to-date than that of the candidate" — a later
    /// last term wins; with equal last terms, the longer log wins.
    @Test(arguments: [
        (candidateLogTerm: UInt64(1), candidateIndex: UInt64(9), granted: false),
        (candidateLogTerm: UInt64(2), candidateIndex: UInt64(2), granted: false),
        (candidateLogTerm: UInt64(2), candidateIndex: UInt64(3), granted: true),
        (candidateLogTerm: UInt64(3), candidateIndex: UInt64(2), granted: true),
    ])
    func electionRestriction(candidateLogTerm: UInt64, candidateIndex: UInt64, granted: Bool) throws {
        // The voter's log ends with term 2 at index 3.
        let voter = try TestNode(id: 1, voters: [1, 2, 3], entries: entries(terms: [1, 2], from: 2),
                                 hardState: HardState(term: 2, vote: .none, commit: 1))
        try voter.node.step(Message(type: .vote, to: 1, from: 2, term: 4, logTerm: candidateLogTerm,
                                    index: candidateIndex))
        let answer = try #require(TestNode.messages(try voter.drain()).first { $0.type == .voteResponse })
        #expect(answer.reject == !granted)
    }

    /// §5.2: "a candidate wins an election if it receives votes from a majority of the servers"; a minority of
    /// rejections is not enough to lose, a majority is.
    @Test func candidateNeedsMajority() throws {
        let candidate = try TestNode(id: 1, voters: [1, 2, 3, 4, 5]) { $0.preVote = false }
        candidate.node.campaign()
        try candidate.drain()
        try candidate.node.step(Message(type: .voteResponse, to: 1, from: 2, term: 1, reject: true))
        #expect(candidate.status.softState.role == .candidate)
        try candidate.node.step(Message(type: .voteResponse, to: 1, from: 3, term: 1))
        #expect(candidate.status.softState.role == .candidate)
        try candidate.node.step(Message(type: .voteResponse, to: 1, from: 4, term: 1))
        #expect(candidate.status.softState.role == .leader)

        let loser = try TestNode(id: 1, voters: [1, 2, 3]) { $0.preVote = false }
        loser.node.campaign()
        try loser.drain()
        try loser.node.step(Message(type: .voteResponse, to: 1, from: 2, term: 1, reject: true))
        try loser.node.step(Message(type: .voteResponse, to: 1, from: 3, term: 1, reject: true))
        #expect(loser.status.softState.role == .follower)
    }

    /// Thesis §9.6: a pre-candidate does not raise its term; a rejected pre-vote leaves the term unchanged.
    @Test func preVoteKeepsTerm() throws {
        let node = try TestNode(id: 1, voters: [1, 2, 3], hardState: HardState(term: 4, vote: .none, commit: 1))
        node.node.campaign()
        let ready = try node.drain()
        #expect(node.status.softState.role == .preCandidate)
        #expect(node.status.hardState.term == 4)
        #expect(ready.messagesAfterPersist.allSatisfy { $0.type == .preVote && $0.term == 5 })
        try node.node.step(Message(type: .preVoteResponse, to: 1, from: 2, term: 4, reject: true))
        try node.node.step(Message(type: .preVoteResponse, to: 1, from: 3, term: 4, reject: true))
        #expect(node.status.softState.role == .follower)
        #expect(node.status.hardState.term == 4)
    }
}
