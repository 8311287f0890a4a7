import EtcdProto
import Membership
import Testing

@Suite struct ClusterMembershipTests {
    private func threeVoters() throws -> ClusterMembership {
        try ClusterMembership.bootstrap(
            initialCluster: InitialCluster(parsing: "a=http://a:2380,b=http://b:2380,c=http://c:2380"),
            token: "t"
        )
    }

    @Test func addingAMemberWithAnExistingIDOrURLIsRefused() throws {
        let membership = try threeVoters()
        let existing = membership.sortedMembers[0]
        #expect(throws: EtcdError.memberExists) {
            try membership.validate(.add(Member(id: existing.id, peerURLs: ["http://new:2380"])))
        }
        #expect(throws: EtcdError.peerURLExists) {
            try membership.validate(.add(Member(id: 42, peerURLs: ["http://b:2380"])))
        }
        try membership.validate(.add(Member(id: 42, peerURLs: ["http://d:2380"])))
    }

    @Test func onlyOneLearnerAtATime() throws {
        var membership = try threeVoters()
        let learner = Member(id: 7, peerURLs: ["http://l1:2380"], isLearner: true)
        try membership.validate(.add(learner))
        membership.apply(.add(learner))
        #expect(membership.learnerIDs == [7])
        #expect(throws: EtcdError.tooManyLearners) {
            try membership.validate(.add(Member(id: 8, peerURLs: ["http://l2:2380"], isLearner: true)))
        }
    }

    @Test func promotionNeedsALearner() throws {
        var membership = try threeVoters()
        let voter = membership.sortedMembers[0].id
        #expect(throws: EtcdError.memberNotLearner) { try membership.validate(.promote(id: voter)) }
        #expect(throws: EtcdError.memberNotFound) { try membership.validate(.promote(id: 99)) }
        membership.apply(.add(Member(id: 7, peerURLs: ["http://l1:2380"], isLearner: true)))
        try membership.validate(.promote(id: 7))
        membership.apply(.promote(id: 7))
        #expect(membership.voterIDs.contains(7))
        #expect(membership.learnerIDs.isEmpty)
    }

    @Test func aRemovedIDIsGoneForGood() throws {
        var membership = try threeVoters()
        let id = membership.sortedMembers[1].id
        try membership.validate(.remove(id: id))
        membership.apply(.remove(id: id))
        #expect(membership.members[id] == nil)
        #expect(membership.removed == [id])
        #expect(throws: EtcdError.memberNotFound) { try membership.validate(.remove(id: id)) }
        #expect(throws: EtcdError.memberNotFound) {
            try membership.validate(.add(Member(id: id, peerURLs: ["http://again:2380"])))
        }
    }

    @Test func updatingPeerURLsChecksOtherMembersOnly() throws {
        var membership = try threeVoters()
        let a = try #require(membership.sortedMembers.first { $0.name == "a" })
        try membership.validate(.update(id: a.id, peerURLs: ["http://a:2380", "http://a2:2380"]))
        #expect(throws: EtcdError.peerURLExists) {
            try membership.validate(.update(id: a.id, peerURLs: ["http://b:2380"]))
        }
        membership.apply(.update(id: a.id, peerURLs: ["http://a2:2380", "http://a:2380"]))
        #expect(membership.members[a.id]?.peerURLs == ["http://a2:2380", "http://a:2380"])
    }

    @Test func publishingSetsNameAndClientURLs() throws {
        var membership = try threeVoters()
        let id = membership.sortedMembers[2].id
        membership.publish(id: id, name: "c-renamed", clientURLs: ["http://c:2379"])
        #expect(membership.members[id]?.apiMember.clientUrls == ["http://c:2379"])
        #expect(membership.members[id]?.name == "c-renamed")
        #expect(Member(record: membership.members[id]!.record) == membership.members[id])
    }
}
