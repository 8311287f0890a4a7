import Raft
import Testing

/// When a read index may be answered without a round: only by a leader that is the sole voter and has
/// committed an entry of its term.
@Suite("Immediate read index")
struct ImmediateReadIndexTests {
    /// A sole voter's leader, with its term's first entry committed.
    private func soleLeader() throws -> TestNode {
        let solo = try TestNode(id: 1, voters: [1])
        solo.node.campaign()
        while solo.node.hasReady() { try solo.drain() }
        return solo
    }

    @Test func aSoleVoterAnswersWithTheReadIndexARoundWouldGive() throws {
        let solo = try self.soleLeader()
        let immediate = try #require(solo.node.immediateReadIndex)
        #expect(immediate == solo.status.hardState.commit)
        try solo.node.readIndex(context: [7])
        let ready = try solo.drain()
        #expect(ready.readStates == [ReadState(index: immediate, context: [7])])
    }

    @Test func itFollowsTheCommitIndex() throws {
        let solo = try self.soleLeader()
        let before = try #require(solo.node.immediateReadIndex)
        try solo.node.propose(Array("x".utf8))
        while solo.node.hasReady() { try solo.drain() }
        #expect(solo.node.immediateReadIndex == before + 1)
    }

    @Test func noneBeforeTheLeaderCommitsInItsTerm() throws {
        // A term past the snapshot's, so the snapshot's index is not an entry of the new leader's term.
        let solo = try TestNode(id: 1, voters: [1], hardState: HardState(term: 1, vote: .none, commit: 1))
        #expect(solo.node.immediateReadIndex == nil)
        solo.node.campaign()
        #expect(solo.status.softState.role == .leader)
        #expect(solo.node.immediateReadIndex == nil)
    }

    @Test func noneWithOtherVoters() throws {
        let env = InteractionEnv()
        try env.addNodes(3, voters: [1, 2, 3])
        try env.member(1).node.campaign()
        _ = try env.stabilize()
        #expect(try env.member(1).node.basicStatus.softState.role == .leader)
        for id: NodeID in [1, 2, 3] {
            #expect(try env.member(id).node.immediateReadIndex == nil)
        }
    }

    @Test func noneOnceAVoterIsAddedButKeptForALearner() throws {
        let solo = try self.soleLeader()
        solo.node.applyConfChange(ConfChange(kind: .addLearner, nodeID: 2))
        #expect(solo.node.immediateReadIndex != nil)
        solo.node.applyConfChange(ConfChange(kind: .addVoter, nodeID: 3))
        #expect(solo.node.immediateReadIndex == nil)
    }
}
