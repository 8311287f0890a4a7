import EtcdClient
import EtcdProto
import Foundation
import GRPCCore
import Testing

/// Simple tokens in a three-member cluster of ours: a token issued by one member is accepted by the
/// others; a client keeps its token across a leader change; a restarted member has forgotten its tokens
/// (they live in memory only) and the client re-authenticates by itself, its watch delivering on.
@Suite(.serialized) struct AuthFailoverTests {
    /// A running three-member cluster with root and alice (readwrite on `app/`) and auth enabled.
    static func cluster() async throws -> TestCluster {
        let cluster = try TestCluster(size: 3, extraArguments: ClusterFailureTests.fastCluster)
        try cluster.startAll()
        try await cluster.waitUntilServing()
        for setup in [
            "user add root:rootpw", "user add alice:pw", "role add app", "role grant-permission app --prefix readwrite app/",
            "user grant-role alice app", "auth enable",
        ] {
            let result = try await Etcdctl.run(cluster.endpoints, setup.split(separator: " ").map(String.init))
            try #require(result.status == 0, "\(setup): \(result.standardError)")
        }
        return cluster
    }

    static func client(_ endpoints: [String], user: String, password: String) throws -> EtcdClient {
        var configuration = ClientConfiguration(endpoints: try endpoints.map { try Endpoint(parsing: $0) })
        configuration.requestTimeout = .seconds(10)
        configuration.credentials = Credentials(user: user, password: password)
        return try EtcdClient(configuration: configuration)
    }

    static func value(_ client: EtcdClient, _ key: String) async throws -> String? {
        try await client.get(key).map { String(decoding: $0.value, as: UTF8.self) }
    }

    @Test func aTokenFromOneMemberServesOnEveryMemberAndAcrossALeaderChange() async throws {
        let cluster = try await Self.cluster()
        try await cluster.reportingLogs { try await self.tokenServesEverywhere(cluster) }
    }

    private func tokenServesEverywhere(_ cluster: TestCluster) async throws {
        let seats = cluster.seats
        let issuer = try TokenCalls(port: seats[0].clientPort)
        let token = try await StageFailed.stage("authenticating on \(seats[0].name)") {
            let token = try await issuer.authenticate("alice", "pw")
            try await issuer.put("app/a", "1", token: token)
            return token
        }
        for seat in seats.dropFirst() {
            try await StageFailed.stage("reading on \(seat.name) with \(seats[0].name)'s token") {
                let calls = try TokenCalls(port: seat.clientPort)
                #expect(try await calls.value(of: "app/a", token: token) == "1", "\(seat.name) accepts \(seats[0].name)'s token")
                await calls.close()
            }
        }

        let client = try Self.client(cluster.endpoints, user: "alice", password: "pw")
        let clients = try EndpointClients(ports: seats.map(\.clientPort))
        let root = try await StageFailed.stage("moving leadership") {
            _ = try await client.put("app/b", "2")
            let leader = try await ClusterFailureTests().leader(of: cluster, clients: clients)
            let target = try #require(seats.first { $0.name != leader.name })
            let root = try Self.client([leader.endpoint], user: "root", password: "rootpw")
            let targetID = try await root.single(try Endpoint(parsing: target.endpoint)).status().header.memberID
            _ = try await root.moveLeader(to: targetID)
            let newLeader = try await ClusterFailureTests().leader(of: cluster, clients: clients)
            #expect(newLeader.name == target.name)
            return root
        }

        try await StageFailed.stage("writing and reading after the move") {
            // Each Authenticate is one entry: a put and a read after the move add exactly one.
            let leader = try await ClusterFailureTests().leader(of: cluster, clients: clients)
            let before = try await clients.maintenance(leader.clientPort).status(Etcdserverpb_StatusRequest()).raftIndex
            _ = try await client.put("app/c", "3")
            #expect(try await Self.value(client, "app/b") == "2")
            let after = try await clients.maintenance(leader.clientPort).status(Etcdserverpb_StatusRequest()).raftIndex
            #expect(after == before + 1, "the client kept its token across the leader change")
        }
        for seat in seats {
            try await StageFailed.stage("reading on \(seat.name) with the token issued before the move") {
                let calls = try TokenCalls(port: seat.clientPort)
                #expect(try await calls.value(of: "app/c", token: token) == "3", "the token issued before the move, on \(seat.name)")
                await calls.close()
            }
        }
        await issuer.close()
        await root.close()
        await client.close()
        await clients.close()
    }

    @Test func aRestartedMemberForgetsItsTokensAndTheClientAuthenticatesAgain() async throws {
        let cluster = try await Self.cluster()
        let client = try Self.client(cluster.endpoints, user: "alice", password: "pw")
        _ = try await client.put("app/before", "1")
        let pinned = try #require(cluster.seats.first { $0.clientPort == client.pinnedEndpoint.port })
        let onlyPinned = try Self.client([pinned.endpoint], user: "alice", password: "pw")
        #expect(try await Self.value(onlyPinned, "app/before") == "1")
        let raw = try TokenCalls(port: pinned.clientPort)
        let token = try await raw.authenticate("alice", "pw")
        #expect(try await raw.value(of: "app/before", token: token) == "1")
        await raw.close()

        // The watch reports what it sees here; it is open on the pinned member once it has seen a put.
        let (keys, seen) = AsyncStream.makeStream(of: String.self)
        var options = WatchOptions.prefix(of: Array("app/".utf8))
        options.startRevision = try await client.put("app/while-watching", "1")
        let watch = Task {
            defer { seen.finish() }
            for try await response in client.watch("app/", options: options) {
                for event in response.events { seen.yield(String(decoding: event.kv.key, as: UTF8.self)) }
            }
        }
        var arrived = keys.makeAsyncIterator()
        #expect(await arrived.next() == "app/while-watching")

        let process = try #require(cluster.process(pinned.name))
        #expect(try await process.terminate() == 0)
        try cluster.start(pinned.name)
        try await cluster.waitUntilServing()

        let restarted = try TokenCalls(port: pinned.clientPort)
        await #expect { _ = try await restarted.value(of: "app/before", token: token) } throws: { error in
            (error as? RPCError)?.code == .unauthenticated && (error as? RPCError)?.message == "etcdserver: invalid auth token"
        }
        await restarted.close()
        #expect(try await Self.value(onlyPinned, "app/before") == "1", "the single-member client re-authenticated")
        _ = try await client.put("app/after-restart", "1")
        #expect(try await Self.value(client, "app/after-restart") == "1")

        let timeout = Task {
            try await Task.sleep(for: .seconds(15))
            watch.cancel()
        }
        let next = await arrived.next()
        timeout.cancel()
        watch.cancel()
        let ended = await watch.result
        #expect(next == "app/after-restart", "the watch delivers after the restart; it ended with \(ended)")
        await onlyPinned.close()
        await client.close()
    }
}
