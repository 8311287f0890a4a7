import EtcdClient
import EtcdProto
import Foundation
import Synchronization
import Testing

/// The Swift client library against real members: failover of reads, watches and keep-alives when the
/// pinned member dies, and its lock excluding Go's.
@Suite(.serialized) struct EtcdClientTests {
    private func cluster() async throws -> (TestCluster, EtcdClient) {
        let cluster = try TestCluster(size: 3, extraArguments: ClusterFailureTests.fastCluster)
        try cluster.startAll()
        try await cluster.waitUntilServing()
        return (cluster, try EtcdClient(endpoints: cluster.endpoints))
    }

    private func seat(of endpoint: Endpoint, in cluster: TestCluster) -> TestCluster.Seat {
        cluster.seats.first { $0.endpoint == endpoint.description }!
    }

    @Test func readsGoOnWhenThePinnedMemberDies() async throws {
        let (cluster, client) = try await self.cluster()
        try await client.put("k", "v")
        let pinned = self.seat(of: client.pinnedEndpoint, in: cluster)
        var failures: [String] = []
        for round in 0..<200 {
            if round == 50 { cluster.kill(pinned.name) }
            do {
                #expect(try await client.get("k")?.value == Data("v".utf8))
            } catch {
                failures.append("\(error)")
            }
        }
        #expect(failures.isEmpty, "reads failed over without an error: \(failures.prefix(3))")
        #expect(client.pinnedEndpoint.description != pinned.endpoint)
        await client.close()
    }

    @Test func aWatchSeesEveryRevisionOnceAcrossAMemberKillAndALeaderChange() async throws {
        let (cluster, client) = try await self.cluster()
        let writer = try EtcdClient(endpoints: cluster.endpoints)
        let watched = self.seat(of: client.pinnedEndpoint, in: cluster)
        let start = try await client.put("w/start", "0")
        let received = Mutex<[Int64]>([])
        let watch = Task {
            var options = WatchOptions.prefix(of: Array("w/".utf8))
            options.startRevision = start + 1
            for try await response in client.watch("w/", options: options) {
                let revisions = response.events.map(\.kv.modRevision)
                received.withLock { $0 += revisions }
                if revisions.contains(start + 300) { return }
            }
        }
        let leader = try await ClusterFailureTests().leader(of: cluster, clients: try EndpointClients(ports: cluster.seats.map(\.clientPort)))
        for index in 1...300 {
            if index == 100 { cluster.kill(watched.name) }
            if index == 150 { try await cluster.start(watched.name).waitUntilServing() }
            if index == 200 {
                let victim = leader.name != watched.name ? leader.name : cluster.seats.first { $0.name != watched.name }!.name
                cluster.kill(victim)
            }
            var written = false
            while !written {
                do {
                    try await writer.put("w/\(index)", "\(index)")
                    written = true
                } catch {
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
        }
        let deadline = ContinuousClock.now + .seconds(30)
        while !watch.isCancelled, received.withLock({ !$0.contains(start + 300) }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        watch.cancel()
        let revisions = received.withLock { $0 }
        #expect(revisions == Array((start + 1)...(start + 300)), "each revision once, in order: got \(revisions.count), first gaps \(Self.gaps(revisions).prefix(5))")
        await writer.close()
        await client.close()
    }

    private static func gaps(_ revisions: [Int64]) -> [Int64] {
        zip(revisions, revisions.dropFirst()).compactMap { $1 == $0 + 1 ? nil : $0 }
    }

    @Test func aKeepAliveSurvivesTheDeathOfItsMember() async throws {
        let (cluster, client) = try await self.cluster()
        let lease = try await client.grantLease(ttl: 3).id
        let renewals = Mutex(0)
        let keeper = Task {
            for try await _ in client.keepAlive(lease) { renewals.withLock { $0 += 1 } }
        }
        try await Task.sleep(for: .seconds(1))
        cluster.kill(self.seat(of: client.pinnedEndpoint, in: cluster).name)
        try await Task.sleep(for: .seconds(6))
        let ttl = try await client.leaseTimeToLive(lease).ttl
        #expect(ttl > 0, "kept alive across the failover (TTL \(ttl), \(renewals.withLock { $0 }) renewals)")
        keeper.cancel()
        await client.close()
    }

    @Test func aSwiftMutexAndGoEtcdctlLockExcludeEachOther() async throws {
        let member = try MemberProcess()
        try await member.waitUntilServing()
        let endpoint = "127.0.0.1:\(member.clientPort)"
        let client = try EtcdClient(endpoints: [endpoint])
        let session = try await Session(client: client, ttl: 10)
        let mutex = EtcdMutex(session: session, prefix: "shared")
        try await mutex.lock()
        let go = try BackgroundProgram(
            try Binaries.system("etcdctl"),
            ["--endpoints=\(endpoint)", "lock", "shared", "echo", "go-acquired"],
            environment: ["ETCDCTL_API": "3", "PATH": "/usr/bin:/bin"]
        )
        try await Task.sleep(for: .seconds(2))
        #expect(!go.output.contains("go-acquired"), "Go's lock waits while Swift's is held")
        try await mutex.unlock()
        #expect(try await go.waitForOutput(containing: "go-acquired", timeout: .seconds(10)), "Go's lock follows once Swift's is released: \(go.errors)")

        let holder = try BackgroundProgram(
            URL(fileURLWithPath: "/usr/bin/timeout"),
            ["4", try Binaries.system("etcdctl").path, "--endpoints=\(endpoint)", "lock", "shared"],
            environment: ["ETCDCTL_API": "3", "PATH": "/usr/bin:/bin"]
        )
        #expect(try await holder.waitForOutput(containing: "shared/", timeout: .seconds(10)), "Go holds the lock")
        let started = ContinuousClock.now
        try await mutex.lock()
        #expect(ContinuousClock.now - started > .seconds(2), "Swift's lock waited for Go's holder to go")
        try await mutex.unlock()
        try await session.close()
        await client.close()
    }
}
