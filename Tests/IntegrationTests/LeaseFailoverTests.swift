import EtcdProto
import Foundation
import GRPCCore
import Testing

/// Leases across leader changes: a keep-alive is never undone by the leader that made it dying, and a
/// leader that cannot confirm its leadership does not renew.
@Suite(.serialized) struct LeaseFailoverTests {
    /// Checkpoints every second, so the remaining TTL in the log trails the leader's clock closely.
    static let checkpointing = ClusterFailureTests.fastCluster + [
        "--experimental-enable-lease-checkpoint", "--experimental-lease-checkpoint-interval", "1s",
    ]

    private func grant(ttl: Int64, port: Int, clients: EndpointClients) async throws -> Int64 {
        var request = Etcdserverpb_LeaseGrantRequest()
        request.ttl = ttl
        return try await clients.lease(port).leaseGrant(request).id
    }

    private func timeToLive(_ id: Int64, port: Int, clients: EndpointClients) async throws -> Int64 {
        var request = Etcdserverpb_LeaseTimeToLiveRequest()
        request.id = id
        var options = CallOptions.defaults
        options.timeout = .seconds(10)
        return try await clients.lease(port).leaseTimeToLive(request, options: options).ttl
    }

    @Test func aKeepAliveOutlivesTheLeaderThatRenewed() async throws {
        let cluster = try TestCluster(size: 3, extraArguments: Self.checkpointing)
        try cluster.startAll()
        try await cluster.waitUntilServing()
        let clients = try EndpointClients(ports: cluster.seats.map(\.clientPort))
        let leader = try await ClusterFailureTests().leader(of: cluster, clients: clients)
        let id = try await self.grant(ttl: 10, port: leader.clientPort, clients: clients)
        var put = Etcdserverpb_PutRequest()
        put.key = Data("held".utf8)
        put.value = Data("by the lease".utf8)
        put.lease = id
        _ = try await clients.kv(leader.clientPort).put(put)

        // Checkpoints record three or four seconds left; the keep-alive then starts ten again on the leader. (A
        // renewal the next leader did not see would leave the lease at most five seconds after the kill; three
        // seconds of margin for etcdctl to start and renew on a loaded machine.)
        try await Task.sleep(for: .seconds(7))
        let renewed = try await Etcdctl.run([leader.endpoint], ["lease", "keep-alive", "--once", String(id, radix: 16)])
        cluster.kill(leader.name)
        #expect(renewed.standardOutput.contains("keepalived with TTL(10)"), "\(renewed)")

        try await Task.sleep(for: .seconds(7))
        let survivor = try #require(cluster.seats.first { $0.name != leader.name })
        let ttl = try await self.timeToLive(id, port: survivor.clientPort, clients: clients)
        #expect(ttl > 0, "renewed for 10 s seven seconds ago, the lease lives on under the new leader (TTL \(ttl))")
        #expect(try await clients.value(of: "held", port: survivor.clientPort) == "by the lease")
        await clients.close()
    }

    @Test func aLeaderCutOffFromItsQuorumDoesNotRenew() async throws {
        let cluster = try TestCluster(size: 3, extraArguments: ClusterFailureTests.fastCluster)
        try cluster.startAll()
        try await cluster.waitUntilServing()
        let clients = try EndpointClients(ports: cluster.seats.map(\.clientPort))
        let leader = try await ClusterFailureTests().leader(of: cluster, clients: clients)
        let id = try await self.grant(ttl: 30, port: leader.clientPort, clients: clients)
        let followers = cluster.seats.filter { $0.name != leader.name }.compactMap { cluster.process($0.name) }
        for follower in followers { try await follower.pause() }
        let renewed = try await Etcdctl.run(
            [leader.endpoint], ["lease", "keep-alive", "--once", String(id, radix: 16)], timeout: "2s"
        )
        for follower in followers { try await follower.resume() }
        #expect(!renewed.standardOutput.contains("keepalived with TTL"), "no quorum confirms the leader: \(renewed)")
        await clients.close()
    }
}
