import Raft
import Testing

/// Replication limits: bytes per message and messages in flight per follower.
@Suite("Flow control")
struct FlowControlTests {
    @Test func inflightWindowAndMessageSizeBoundAppends() throws {
        let env = InteractionEnv()
        let payload = [UInt8](repeating: 7, count: 100)
        let perMessage = 2 * (payload.count + Entry.overheadBytes)
        try env.addNodes(3, voters: [1, 2, 3]) {
            $0.maxInflightMessages = 3
            $0.maxSizePerMessageBytes = perMessage
        }
        try env.member(1).node.campaign()
        _ = try env.stabilize()
        let leader = try env.member(1).node
        let storage = try env.member(1).storage
        for _ in 0..<20 { try leader.propose(payload) }
        let ready = leader.ready()
        let toTwo = ready.messages.filter { $0.to == 2 && $0.type == .append }
        #expect(toTwo.count == 3)
        for message in toTwo {
            #expect(message.entries.count == 2)
            #expect(message.entries.reduce(0) { $0 + $1.byteSize } <= perMessage)
        }
        #expect(leader.status().progress[2]?.isPaused == true)
        storage.append(ready.entries)
        leader.advance(ready)
        // An acknowledgement of the first message frees one slot: exactly one more append goes out.
        try leader.step(Message(type: .appendResponse, to: 1, from: 2, term: 1, index: toTwo[0].entries.last!.index))
        let next = leader.ready()
        #expect(next.messages.filter { $0.to == 2 && $0.type == .append }.count == 1)
    }

    /// A batch of proposals between two Readies leaves in one append per follower.
    @Test func proposalsBetweenReadiesShareOneAppend() throws {
        let env = InteractionEnv()
        try env.addNodes(3, voters: [1, 2, 3])
        try env.member(1).node.campaign()
        _ = try env.stabilize()
        let leader = try env.member(1).node
        for value in 0..<64 as Range<UInt8> { try leader.propose([value]) }
        let appends = leader.ready().messages.filter { $0.type == .append }
        #expect(appends.count == 2)
        #expect(appends.allSatisfy { $0.entries.count == 64 })
    }
}
