import Membership
import Testing

@Suite struct InitialClusterTests {
    @Test func namesKeepTheirOrderAndMayRepeatForMoreURLs() {
        let cluster = InitialCluster(parsing: "a=http://1:1,b=http://2:2,a=http://3:3,,c=http://4:4")
        #expect(cluster.members.map(\.name) == ["a", "b", "c"])
        #expect(cluster.peerURLs(of: "a") == ["http://1:1", "http://3:3"])
        #expect(cluster.peerURLs(of: "z") == nil)
        #expect(cluster.allPeerURLs == ["http://1:1", "http://2:2", "http://3:3", "http://4:4"])
        #expect(cluster.description == "a=http://1:1,a=http://3:3,b=http://2:2,c=http://4:4")
    }

    @Test func anEntryWithoutEqualsHasAnEmptyURL() {
        #expect(InitialCluster(parsing: "lonely").peerURLs(of: "lonely") == [""])
    }

    @Test func identicalURLsGiveIdenticalIDsAndAreRefused() {
        let cluster = InitialCluster(parsing: "a=http://1:1,b=http://1:1")
        #expect(throws: ConfigurationError.self) {
            try ClusterMembership.bootstrap(initialCluster: cluster, token: "t")
        }
    }
}
