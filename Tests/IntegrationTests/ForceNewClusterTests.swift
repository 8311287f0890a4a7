import EtcdProto
import Foundation
import GRPCCore
import Testing

/// etcd's recovery from the loss of a quorum: one surviving member restarted with `--force-new-cluster`
/// becomes a one-member cluster with all its data, takes writes, and grows again with `member add`.
@Suite(.serialized) struct ForceNewClusterTests {
    @Test func aSurvivorForcesANewClusterKeepsItsDataAndGrowsAgain() async throws {
        let cluster = try TestCluster(size: 3, extraArguments: ClusterFailureTests.fastCluster)
        try cluster.startAll()
        try await cluster.waitUntilServing()
        let ports = cluster.seats.map(\.clientPort)
        let clients = try EndpointClients(ports: ports)
        let load = LoadWriter(clients: clients, ports: ports)
        load.start(writers: 4)
        try await load.waitFor(more: 300)
        await load.stop()
        try await ClusterFailureTests().expectEveryMember(of: cluster, clients: clients, toHold: load.writes)
        let before = try await clients.cluster(ports[0]).memberList(Etcdserverpb_MemberListRequest()).members
        for seat in cluster.seats { cluster.kill(seat.name) }

        let survivor = cluster.seat("m1")
        let forced = try cluster.start("m1", arguments: cluster.arguments(for: "m1") + ["--force-new-cluster"])
        try await forced.waitUntilServing()
        try await cluster.reportingLogs {
            let members = try await clients.cluster(survivor.clientPort).memberList(Etcdserverpb_MemberListRequest()).members
            #expect(members.map(\.name) == ["m1"])
            #expect(members.first?.id == before.first { $0.name == "m1" }?.id, "the member keeps its ID")
            #expect(forced.log.contains("forcing restart member"))
            try await clients.put("after-force", "1", port: survivor.clientPort, timeout: .seconds(10))
            let held = try await clients.read(prefix: LoadWriter.prefix, port: survivor.clientPort, serializable: false).values
            #expect(load.writes.filter { held[$0.key] != $0.value }.isEmpty, "the survivor keeps every write it held")
        }

        let fourth = try cluster.addSeat("m4")
        var add = Etcdserverpb_MemberAddRequest()
        add.peerUrls = [fourth.peerURL]
        _ = try await clients.cluster(survivor.clientPort).memberAdd(add)
        let joined = try cluster.start(
            "m4",
            arguments: cluster.arguments(for: "m4", state: "existing", initialCluster: cluster.initialCluster(["m1", "m4"]))
        )
        try await joined.waitUntilServing()
        let grown = try EndpointClients(ports: [survivor.clientPort, fourth.clientPort])
        try await cluster.reportingLogs {
            try await grown.put("grown", "yes", port: fourth.clientPort, timeout: .seconds(10))
            let held = try await grown.read(prefix: LoadWriter.prefix, port: fourth.clientPort, serializable: false).values
            #expect(load.writes.filter { held[$0.key] != $0.value }.isEmpty, "the new member caught up with the survivor's data")
        }

        cluster.kill("m1")
        let restarted = try cluster.start("m1", arguments: cluster.arguments(for: "m1", initialCluster: cluster.initialCluster(["m1", "m4"])))
        try await restarted.waitUntilServing()
        try await cluster.reportingLogs {
            let members = try await grown.cluster(survivor.clientPort).memberList(Etcdserverpb_MemberListRequest()).members
            #expect(members.map(\.name).sorted() == ["m1", "m4"], "a restart without the flag keeps the new membership")
            #expect(try await grown.read(prefix: "grown", port: survivor.clientPort, serializable: false).values == ["grown": "yes"])
        }
        await grown.close()
        await clients.close()
    }
}
