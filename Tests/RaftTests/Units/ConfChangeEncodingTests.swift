import Raft
import Testing

@Suite("ConfChange encoding")
struct ConfChangeEncodingTests {
    @Test(arguments: [ConfChange.Kind.addVoter, .remove, .addLearner, .update])
    func roundTrips(kind: ConfChange.Kind) throws {
        let change = ConfChange(id: 300, kind: kind, nodeID: 0xABCD_EF01_2345, context: Array("http://m:2380".utf8))
        #expect(try ConfChange(decoding: change.encoded()) == change)
    }

    /// The bytes etcd's `raftpb.ConfChange{ID: 1, Type: ConfChangeAddLearnerNode, NodeID: 2, Context: "c"}`
    /// marshals to.
    @Test func matchesEtcdProtobufLayout() {
        let change = ConfChange(id: 1, kind: .addLearner, nodeID: 2, context: [0x63])
        #expect(change.encoded() == [0x08, 0x01, 0x10, 0x03, 0x18, 0x02, 0x22, 0x01, 0x63])
    }

    @Test func rejectsMalformedBytes() {
        #expect(throws: ConfChangeDecodingError.truncated) { try ConfChange(decoding: [0x08]) }
        #expect(throws: ConfChangeDecodingError.truncated) { try ConfChange(decoding: [0x22, 0x05, 0x01]) }
        #expect(throws: ConfChangeDecodingError.unknownKind(9)) { try ConfChange(decoding: [0x10, 0x09]) }
        #expect(throws: ConfChangeDecodingError.unsupportedWireType(3)) { try ConfChange(decoding: [0x2B]) }
    }

    @Test func skipsUnknownFields() throws {
        let bytes: [UInt8] = [0x18, 0x07, 0x28, 0x01, 0x35, 0, 0, 0, 0]
        #expect(try ConfChange(decoding: bytes) == ConfChange(kind: .addVoter, nodeID: 7))
    }
}
