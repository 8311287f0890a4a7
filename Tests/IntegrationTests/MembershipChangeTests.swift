import EtcdProto
import Foundation
import GRPCCore
import Testing

/// A five-member cluster grows by a learner, promotes it once caught up, and removes a member, all
/// while clients write; the removed member stops itself and no acknowledged write is lost.
@Suite(.serialized) struct MembershipChangeTests {
    @Test func fiveMembersAddPromoteAndRemoveWhileWriting() async throws {
        let cluster = try TestCluster(size: 5, extraArguments: ClusterFailureTests.fastCluster)
        try cluster.startAll()
        try await cluster.waitUntilServing()
        let sixth = try cluster.addSeat("m6")
        let ports = cluster.seats.map(\.clientPort)
        let clients = try EndpointClients(ports: ports)
        let original = Array(ports.prefix(5))
        let load = LoadWriter(clients: clients, ports: original)
        load.start(writers: 4)
        try await load.waitFor(more: 100)

        var add = Etcdserverpb_MemberAddRequest()
        add.peerUrls = [sixth.peerURL]
        add.isLearner = true
        let added = try await clients.cluster(original[0]).memberAdd(add)
        #expect(added.member.isLearner && added.member.peerUrls == [sixth.peerURL] && added.member.name.isEmpty)
        #expect(added.members.count == 6)
        let joined = try cluster.start("m6", state: "existing")
        try await joined.waitUntilServing()
        try await Self.promote(added.member.id, through: clients, port: original[1])
        let promotions = try await PrometheusTests.scrape(original[1], "etcd_server_learner_promote_successes")
        #expect(promotions == 1, "the member that served the promotion counts it")

        let members = try await clients.cluster(original[0]).memberList(Etcdserverpb_MemberListRequest()).members
        let removedID = try #require(members.first { $0.name == "m2" }).id
        var remove = Etcdserverpb_MemberRemoveRequest()
        remove.id = removedID
        load.use(ports: ports.filter { $0 != cluster.seat("m2").clientPort })
        _ = try await clients.cluster(original[0]).memberRemove(remove)
        let removed = try #require(cluster.process("m2"))
        let deadline = ContinuousClock.now + .seconds(15)
        while removed.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(removed.exitStatus == 0, "a removed member stops itself, status 0: \(removed.log.suffix(3000))")
        cluster.kill("m2")

        try await load.waitFor(more: 100)
        await load.stop()
        let final = try await clients.cluster(original[0]).memberList(Etcdserverpb_MemberListRequest()).members
        #expect(final.map(\.name).sorted() == ["m1", "m3", "m4", "m5", "m6"])
        #expect(final.allSatisfy { !$0.isLearner })
        try await ClusterFailureTests().expectEveryMember(of: cluster, clients: clients, toHold: load.writes)
        await clients.close()
    }

    @Test func aOneMemberClusterGrowsWithEtcdctlMemberAdd() async throws {
        let cluster = try TestCluster(size: 1, extraArguments: ClusterFailureTests.fastCluster)
        try cluster.startAll()
        try await cluster.waitUntilServing()
        let second = try cluster.addSeat("m2")
        let first = cluster.seat("m1")
        let added = try await Etcdctl.run([first.endpoint], ["member", "add", "m2", "--peer-urls=\(second.peerURL)"])
        #expect(added.status == 0 && added.standardOutput.contains("added to cluster"), "\(added)")
        // Two voters now, one of them not started: m1 alone is no quorum, so it may no longer answer a
        // linearizable read on its own.
        let alone = try EndpointClients(ports: [first.clientPort])
        do {
            let read = try await alone.read(prefix: "grown", port: first.clientPort, serializable: false, timeout: .seconds(20))
            Issue.record("a linearizable read without quorum was answered: \(read)")
        } catch let error as RPCError {
            #expect(["etcdserver: leader changed", "etcdserver: request timed out"].contains(error.message), "\(error)")
        }
        await alone.close()
        let joined = try cluster.start("m2", state: "existing")
        try await joined.waitUntilServing()
        let clients = try EndpointClients(ports: [first.clientPort, second.clientPort])
        try await clients.put("grown", "yes", port: second.clientPort)
        #expect(try await clients.read(prefix: "grown", port: first.clientPort, serializable: false).values == ["grown": "yes"])
        let members = try await clients.cluster(first.clientPort).memberList(Etcdserverpb_MemberListRequest()).members
        #expect(members.map(\.name).sorted() == ["m1", "m2"] && members.allSatisfy { !$0.isLearner })
        await clients.close()
    }

    /// Promotes the learner, retrying while the cluster answers that it has not caught up yet.
    static func promote(_ id: UInt64, through clients: EndpointClients, port: Int) async throws {
        var request = Etcdserverpb_MemberPromoteRequest()
        request.id = id
        let deadline = ContinuousClock.now + .seconds(20)
        while true {
            do {
                _ = try await clients.cluster(port).memberPromote(request)
                return
            } catch let error as RPCError where error.message.contains("in sync with leader") && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }
}
