import Raft
import Testing

/// Sentences of the Raft paper about the log and commitment, each tested on its own.
@Suite("Paper: log replication and commitment")
struct LogTests {
    /// §5.3: "If the follower does not find an entry in its log with the same index and term, then it refuses
    /// the new entries."
    @Test func followerRefusesAppendWithoutMatchingPrevious() throws {
        let follower = try TestNode(id: 2, voters: [1, 2, 3], entries: entries(terms: [1, 1], from: 2),
                                    hardState: HardState(term: 2, vote: .none, commit: 1))
        try follower.node.step(Message(type: .append, to: 2, from: 1, term: 2, logTerm: 2, index: 3,
                                       entries: entries(terms: [2], from: 4)))
        let answer = try #require(TestNode.messages(try follower.drain()).first { $0.type == .appendResponse })
        #expect(answer.reject)
        #expect(try follower.log().map(\.term) == [1, 1])
    }

    /// §5.3: "If an existing entry conflicts with a new one (same index but different terms), delete the existing
    /// entry and all that follow it; append any new entries not already in the log." Log Matching follows.
    @Test func followerReplacesConflictingSuffix() throws {
        let follower = try TestNode(id: 2, voters: [1, 2, 3], entries: entries(terms: [1, 1, 1], from: 2),
                                    hardState: HardState(term: 2, vote: .none, commit: 1))
        let incoming = entries(terms: [2, 2], from: 3)
        try follower.node.step(Message(type: .append, to: 2, from: 1, term: 2, logTerm: 1, index: 2,
                                       entries: incoming, commit: 1))
        let ready = try follower.drain()
        #expect(ready.entries == incoming)
        #expect(try follower.log().map(\.term) == [1, 2, 2])
        let answer = try #require(ready.messagesAfterPersist.first { $0.type == .appendResponse })
        #expect(!answer.reject && answer.index == 4)
    }

    /// §5.3 / §5.5: appends are idempotent: a duplicated append changes nothing and is acknowledged again.
    @Test func duplicatedAppendIsHarmless() throws {
        let follower = try TestNode(id: 2, voters: [1, 2, 3], hardState: HardState(term: 2, vote: .none, commit: 1))
        let append = Message(type: .append, to: 2, from: 1, term: 2, logTerm: 1, index: 1,
                             entries: entries(terms: [2, 2], from: 2), commit: 1)
        try follower.node.step(append)
        try follower.drain()
        try follower.node.step(append)
        let again = try follower.drain()
        #expect(again.entries.isEmpty)
        #expect(try follower.log().count == 2)
        #expect(again.messagesAfterPersist.contains { $0.type == .appendResponse && $0.index == 3 && !$0.reject })
    }

    /// §5.3 Leader Append-Only: "a leader never overwrites or deletes entries in its log; it only appends new
    /// entries." Neither a stale leader's append nor follower rejections change the leader's log.
    @Test func leaderOnlyAppends() throws {
        let env = InteractionEnv()
        try env.addNodes(3, voters: [1, 2, 3])
        try env.member(1).node.campaign()
        _ = try env.stabilize()
        let leader = try env.member(1)
        for data in ["a", "b", "c"] { try leader.node.propose(Array(data.utf8)) }
        _ = try env.processReady(1)
        let before = try env.raftLog(1)
        try leader.node.step(Message(type: .append, to: 1, from: 2, term: 0, logTerm: 0, index: 1,
                                     entries: entries(terms: [1], from: 2)))
        try leader.node.step(Message(type: .appendResponse, to: 1, from: 2, term: 2, index: 3, reject: true))
        _ = try env.stabilize()
        let after = try env.raftLog(1)
        #expect(Array(after.prefix(before.count)) == before)
    }

    /// §5.3: "A log entry is committed once the leader that created the entry has replicated it on a majority of
    /// the servers" — and the leader counts itself only once its own copy is durable.
    @Test func leaderCommitsOnMajorityIncludingItsDurableCopy() throws {
        let leader = try TestNode(id: 1, voters: [1, 2, 3]) { $0.preVote = false }
        leader.node.campaign()
        try leader.drain()
        try leader.node.step(Message(type: .voteResponse, to: 1, from: 2, term: 1))
        #expect(leader.status.softState.role == .leader)
        // The empty entry of term 1 is at index 2. A follower acknowledges it before the leader persisted it.
        let ready = leader.node.ready()
        #expect(ready.entries.map(\.index) == [2])
        #expect(ready.messages.contains { $0.type == .append })
        try leader.node.step(Message(type: .appendResponse, to: 1, from: 2, term: 1, index: 2))
        #expect(leader.status.hardState.commit == 1)
        leader.storage.append(ready.entries)
        if let hardState = ready.hardState { leader.storage.setHardState(hardState) }
        leader.node.advance(ready)
        #expect(leader.status.hardState.commit == 2)
    }

    /// §5.4.2: "Raft never commits log entries from previous terms by counting replicas. Only log entries from the
    /// leader's current term are committed by counting replicas."
    @Test func olderTermEntriesAreNotCommittedByCounting() throws {
        // Node 1 holds entries of terms 1 and 2 (indexes 2 and 3) that were never committed, and becomes leader of
        // term 3, appending its empty entry at index 4.
        let leader = try TestNode(id: 1, voters: [1, 2, 3], entries: entries(terms: [1, 2], from: 2),
                                  hardState: HardState(term: 2, vote: .none, commit: 1)) { $0.preVote = false }
        leader.node.campaign()
        try leader.drain()
        try leader.node.step(Message(type: .voteResponse, to: 1, from: 2, term: 3))
        try leader.drain()
        #expect(leader.status.softState.role == .leader)
        // A majority (1 and 2) now holds index 3, of term 2: not committed.
        try leader.node.step(Message(type: .appendResponse, to: 1, from: 2, term: 3, index: 3))
        #expect(leader.status.hardState.commit == 1)
        // Once the term-3 entry is on a majority, it commits, and every entry before it with it.
        try leader.node.step(Message(type: .appendResponse, to: 1, from: 2, term: 3, index: 4))
        #expect(leader.status.hardState.commit == 4)
    }

    /// §5.4 Leader Completeness: "if a log entry is committed in a given term, then that entry will be present in
    /// the logs of the leaders for all higher-numbered terms." A member that missed a committed entry cannot win.
    @Test func memberMissingCommittedEntryCannotLead() throws {
        let env = InteractionEnv()
        try env.addNodes(3, voters: [1, 2, 3]) {
            $0.preVote = false
            $0.checkQuorum = false
        }
        try env.member(1).node.campaign()
        _ = try env.stabilize()
        env.isolated = [3]
        try env.member(1).node.propose(Array("committed".utf8))
        _ = try env.stabilize([1, 2])
        #expect(try env.member(1).node.basicStatus.hardState.commit == 3)
        env.isolated = [1]
        try env.member(3).node.campaign()
        _ = try env.stabilize([2, 3])
        #expect(try env.member(3).node.basicStatus.softState.role != .leader)
        try env.member(2).node.campaign()
        _ = try env.stabilize([2, 3])
        #expect(try env.member(2).node.basicStatus.softState.role == .leader)
        #expect(try env.raftLog(2).contains("1/3 \"committed\""))
    }

    /// §5.4.3 State Machine Safety: "if a server has applied a log entry at a given index to its state machine, no
    /// other server will ever apply a different log entry for the same index" — through a leadership change.
    @Test func everyMemberAppliesTheSameSequence() throws {
        let env = InteractionEnv()
        try env.addNodes(3, voters: [1, 2, 3])
        try env.member(1).node.campaign()
        _ = try env.stabilize()
        try env.member(1).node.propose(Array("one".utf8))
        _ = try env.stabilize()
        try env.member(1).node.transferLeadership(to: 3)
        _ = try env.stabilize()
        try env.member(3).node.propose(Array("two".utf8))
        try env.member(2).node.propose(Array("three".utf8))
        _ = try env.stabilize()
        let sequences = try [1, 2, 3].map { try env.member($0).applied.map { "\($0.index):\($0.term):\($0.data)" } }
        #expect(sequences[0].count == 3)
        #expect(sequences[0] == sequences[1] && sequences[1] == sequences[2])
    }
}
