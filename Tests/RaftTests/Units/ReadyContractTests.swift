import Raft
import Testing

/// The ordering and bookkeeping obligations of `Ready` and `advance`.
@Suite("Ready contract")
struct ReadyContractTests {
    private func leaderOfThree() throws -> InteractionEnv {
        let env = InteractionEnv()
        try env.addNodes(3, voters: [1, 2, 3])
        try env.member(1).node.campaign()
        _ = try env.stabilize()
        return env
    }

    /// A leader's appends may leave before its own write; a follower's acknowledgement may not.
    @Test func messagesAreSplitByDurability() throws {
        let env = try self.leaderOfThree()
        try env.member(1).node.propose([1])
        let leaderReady = try env.member(1).node.ready()
        #expect(leaderReady.messages.filter { $0.type == .append }.count == 2)
        #expect(leaderReady.messagesAfterPersist.isEmpty)
        try env.member(2).node.step(leaderReady.messages[0])
        let followerReady = try env.member(2).node.ready()
        #expect(followerReady.messages.isEmpty)
        #expect(followerReady.messagesAfterPersist.map(\.type) == [.appendResponse])
        #expect(followerReady.mustSync)
    }

    /// A single voter commits only after its own entry is durable, so a crash before the write loses nothing
    /// that was reported committed.
    @Test func singleVoterCommitsAfterPersistence() throws {
        let solo = try TestNode(id: 1, voters: [1])
        solo.node.campaign()
        #expect(solo.status.softState.role == .leader)
        while solo.node.hasReady() { try solo.drain() }
        try solo.node.propose(Array("x".utf8))
        let write = solo.node.ready()
        #expect(write.entries.map(\.data) == [Array("x".utf8)])
        #expect(write.committedEntries.isEmpty)
        solo.storage.append(write.entries)
        solo.node.advance(write)
        let apply = try solo.drain()
        #expect(apply.committedEntries.map(\.data) == [Array("x".utf8)])
        #expect(apply.hardState?.commit == 3)
    }

    /// Under load a leader's Ready carries new entries and the entries committed since the last one: those were
    /// persisted by an earlier Ready, so they may be applied before this one's write.
    @Test func entriesCommittedByAnEarlierWriteMayBeAppliedBeforeTheNextWrite() throws {
        let solo = try TestNode(id: 1, voters: [1])
        solo.node.campaign()
        while solo.node.hasReady() { try solo.drain() }
        try solo.node.propose(Array("x".utf8))
        try solo.drain()
        try solo.node.propose(Array("y".utf8))
        let ready = solo.node.ready()
        #expect(ready.entries.map(\.data) == [Array("y".utf8)])
        #expect(ready.committedEntries.map(\.data) == [Array("x".utf8)])
        #expect(ready.durableCommittedCount == 1)
    }

    /// A follower can learn that an entry is committed in the same message that brings it: then the entry must be
    /// durable here before it is applied.
    @Test func anEntryCommittedAsItArrivesWaitsForItsWrite() throws {
        let env = try self.leaderOfThree()
        try env.member(1).node.propose([1])
        var append = try #require(try env.member(1).node.ready().messages.first { $0.type == .append && $0.to == 2 })
        let entry = try #require(append.entries.last)
        append.commit = entry.index
        try env.member(2).node.step(append)
        let ready = try env.member(2).node.ready()
        #expect(ready.entries.map(\.index) == [entry.index])
        #expect(ready.committedEntries.map(\.index) == [entry.index])
        #expect(ready.durableCommittedCount == 0)
    }

    /// Entries up to the configured applied index are not handed out again after a restart.
    @Test func restartSkipsAppliedEntries() throws {
        let node = try TestNode(id: 1, voters: [1, 2, 3], entries: entries(terms: [1, 1, 1], from: 2),
                                hardState: HardState(term: 1, vote: .none, commit: 4)) { $0.appliedIndex = 3 }
        let ready = try node.drain()
        #expect(ready.committedEntries.map(\.index) == [4])
        let fresh = try TestNode(id: 1, voters: [1, 2, 3], entries: entries(terms: [1, 1, 1], from: 2),
                                 hardState: HardState(term: 1, vote: .none, commit: 4))
        #expect(try fresh.drain().committedEntries.map(\.index) == [2, 3, 4])
    }

    /// Committed entries are handed out in slices of at most `maxCommittedBytesPerReady`.
    @Test func committedEntriesArePaginated() throws {
        let size = entries(terms: [1], from: 2)[0].byteSize
        let node = try TestNode(id: 1, voters: [1, 2, 3], entries: entries(terms: [1, 1, 1, 1], from: 2),
                                hardState: HardState(term: 1, vote: .none, commit: 5)) {
            $0.maxCommittedBytesPerReady = 2 * size
        }
        #expect(try node.drain().committedEntries.map(\.index) == [2, 3])
        #expect(try node.drain().committedEntries.map(\.index) == [4, 5])
        #expect(!node.node.hasReady())
    }

    /// Nothing is handed out twice while a Ready is outstanding.
    @Test func noReadyWhileOneIsOutstanding() throws {
        let env = try self.leaderOfThree()
        let node = try env.member(1).node
        try node.propose([1])
        let ready = node.ready()
        try node.propose([2])
        #expect(!node.hasReady())
        try env.member(1).storage.append(ready.entries)
        node.advance(ready)
        #expect(node.hasReady())
        #expect(node.ready().entries.map(\.data) == [[2]])
    }

    /// A leader's snapshot that adds nothing is turned down and leaves nothing pending; one past the commit
    /// index is pending until its Ready is persisted. (The member removes a turned-down snapshot's database.)
    @Test func aSnapshotIsPendingOnlyWhenTaken() throws {
        let follower = try TestNode(id: 2, voters: [1, 2, 3], entries: entries(terms: [1, 1, 1], from: 2),
                                    hardState: HardState(term: 1, vote: .none, commit: 4))
        try follower.drain()
        func snapshot(at index: UInt64) -> Message {
            Message(type: .snapshot, to: 2, from: 1, term: 1, snapshot: Snapshot(
                metadata: SnapshotMetadata(index: index, term: 1, confState: ConfState(voters: [1, 2, 3]))))
        }
        try follower.node.step(snapshot(at: 3))
        #expect(follower.node.pendingSnapshotIndex == nil)
        try follower.node.step(snapshot(at: 9))
        #expect(follower.node.pendingSnapshotIndex == 9)
        try follower.node.step(snapshot(at: 9))
        #expect(follower.node.pendingSnapshotIndex == 9, "a second copy leaves the first one pending")
        #expect(try follower.drain().snapshot?.metadata.index == 9)
        #expect(follower.node.pendingSnapshotIndex == nil)
    }

    @Test func localMessagesAndStrangersAreRefused() throws {
        let node = try TestNode(id: 1, voters: [1, 2, 3])
        #expect(throws: RaftError.stepLocalMessage) { try node.node.step(Message(type: .hup, from: 2)) }
        #expect(throws: RaftError.stepPeerNotFound) {
            try node.node.step(Message(type: .appendResponse, to: 1, from: 9, term: 1))
        }
    }
}
