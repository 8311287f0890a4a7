import Membership
import Testing

/// The ids Go etcd 3.4 derives for the same flags, read from its log ("added member ... to cluster ...").
@Suite struct MemberIdentityTests {
    @Test func theDefaultSingleMemberClusterGetsEtcdsWellKnownIDs() {
        let member = MemberIdentity.memberID(peerURLs: ["http://localhost:2380"], clusterToken: "etcd-cluster")
        #expect(MemberIdentity.hex(member) == "8e9e05c52164694d")
        #expect(MemberIdentity.hex(MemberIdentity.clusterID(memberIDs: [member])) == "cdf818194e3a8c32")
    }

    @Test func aThreeMemberClusterGetsTheIDsGoEtcdGives() throws {
        let initial = InitialCluster(
            parsing: "infra1=http://127.0.0.1:12380,infra2=http://127.0.0.1:22380,infra3=http://127.0.0.1:32380"
        )
        let membership = try ClusterMembership.bootstrap(initialCluster: initial, token: "etcd-cluster-1")
        #expect(MemberIdentity.hex(membership.clusterID) == "ef37ad9dc622a7c4")
        #expect(membership.sortedMembers.map { MemberIdentity.hex($0.id) } == ["8211f1d0f64f3269", "91bc3c398fb3c146", "fd422379fda50e48"])
        #expect(membership.sortedMembers.map(\.name) == ["infra1", "infra2", "infra3"])
    }

    @Test func theTokenAndTheTimeOfAdditionChangeTheID() {
        let urls = ["http://10.0.0.1:2380"]
        let first = MemberIdentity.memberID(peerURLs: urls, clusterToken: "a")
        #expect(first != MemberIdentity.memberID(peerURLs: urls, clusterToken: "b"))
        #expect(first != MemberIdentity.memberID(peerURLs: urls, clusterToken: "a", addedAtUnixSeconds: 1_700_000_000))
        #expect(first == MemberIdentity.memberID(peerURLs: urls, clusterToken: "a"))
    }

    @Test func peerURLOrderDoesNotMatter() {
        let one = MemberIdentity.memberID(peerURLs: ["http://b:1", "http://a:1"], clusterToken: "t")
        let other = MemberIdentity.memberID(peerURLs: ["http://a:1", "http://b:1"], clusterToken: "t")
        #expect(one == other)
    }
}
