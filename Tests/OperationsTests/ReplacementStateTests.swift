import EtcdProto
import Operations
import Testing

/// The replacement's decisions from the cluster's state alone: the step each state leads to, the
/// preflight's refusals, and where leadership goes.
@Suite struct ReplacementStateTests {
    static let newPeer = "http://10.0.0.4:2380"

    static func member(_ id: UInt64, _ name: String, learner: Bool = false, peer: String? = nil) -> Etcdserverpb_Member {
        var member = Etcdserverpb_Member()
        member.id = id
        member.name = name
        member.isLearner = learner
        member.peerUrls = [peer ?? "http://10.0.0.\(id):2380"]
        member.clientUrls = name.isEmpty ? [] : ["http://10.0.0.\(id):2379"]
        return member
    }

    static func state(_ members: [Etcdserverpb_Member], old: UInt64 = 2, leader: UInt64 = 1, healthy: Set<UInt64>? = nil) -> ReplacementState {
        ReplacementState(members: members, oldID: old, newPeerURL: Self.newPeer, leaderID: leader,
                         healthyIDs: healthy ?? Set(members.filter { !$0.isLearner }.map(\.id)))
    }

    static let three = [member(1, "m1"), member(2, "m2"), member(3, "m3")]

    @Test func aHealthyFollowerIsReplacedLearnerFirstAndRemovedLast() throws {
        #expect(try Self.state(Self.three).next == .addLearner)
        let learner = Self.member(4, "", learner: true, peer: Self.newPeer)
        #expect(try Self.state(Self.three + [learner]).next == .promote(4))
        let voter = Self.member(4, "m4", peer: Self.newPeer)
        #expect(try Self.state(Self.three + [voter]).next == .removeOld(unreachable: false))
        #expect(try Self.state([Self.three[0], Self.three[2], voter]).next == .verify)
    }

    @Test func theLeaderHandsOverBeforeTheAddAndAgainBeforeItsRemoval() throws {
        #expect(try Self.state(Self.three, leader: 2).next == .moveLeadership(to: 1))
        let voter = Self.member(4, "m4", peer: Self.newPeer)
        #expect(try Self.state(Self.three + [voter], leader: 2).next == .moveLeadership(to: 4), "to the new member once it votes")
        #expect(try Self.state(Self.three, leader: 2, healthy: [2, 3]).next == .moveLeadership(to: 3), "never to an unhealthy member")
        #expect(throws: OpsError.self) { try Self.state(Self.three, leader: 2, healthy: [2]).next }
    }

    @Test func anUnreachableOldMemberIsRemovedFirst() throws {
        let state = Self.state(Self.three, healthy: [1, 3])
        #expect(try state.next == .removeOld(unreachable: true))
        #expect(try state.preflight().contains("m2 (2) unreachable, removed first"))
        #expect(try Self.state([Self.three[0], Self.three[2]]).next == .addLearner)
    }

    @Test func preflightRefusesAnotherSickMemberALearnerOrLostQuorum() throws {
        let sick = Self.state(Self.three, healthy: [1, 2])
        #expect(throws: OpsError.self) { try sick.preflight() }
        let learner = Self.state(Self.three + [Self.member(5, "m5", learner: true)])
        #expect(throws: OpsError.self) { try learner.preflight() }
        let two = Self.state([Self.member(1, "m1"), Self.member(2, "m2")], healthy: [1])
        #expect(throws: OpsError.self) { try two.preflight() }
        #expect(try Self.state(Self.three).preflight().hasPrefix("Preflight: 2 other members healthy"))
    }
}
