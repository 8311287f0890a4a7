import EtcdProto
import Foundation
import GRPCCore
import Synchronization
import Testing

/// A follower that falls behind the leader's compacted log catches up by installing the leader's
/// snapshot: its Raft configuration, its data after a crash at any step of the install, and the clients
/// reading from it or watching it while it installs must come out as if nothing happened.
@Suite(.serialized) struct SnapshotInstallTests {
    /// Writes that take the leader past `--snapshot-count` (300 in the fast cluster), so that its log is
    /// compacted and a member behind it can only catch up from a snapshot.
    static let pastOneSnapshot = 400
    /// Puts one at a time, each its own append, that outnumber the appends a leader sends a silent
    /// follower before it waits (512 in flight): a paused follower cannot find them all in its socket
    /// buffer when it resumes, and catches up by snapshot.
    static let pastTheInflightWindow = 1_000

    @Test func aMemberThatCaughtUpBySnapshotKnowsEveryVoter() async throws {
        let cluster = try TestCluster(size: 3, extraArguments: ClusterFailureTests.fastCluster)
        try cluster.startAll()
        try await cluster.waitUntilServing()
        let clients = try EndpointClients(ports: cluster.seats.map(\.clientPort))
        let fourth = try cluster.addSeat("m4")
        let fifth = try cluster.addSeat("m5")
        let first = cluster.seat("m1").clientPort
        try await clients.putMany(Self.pastOneSnapshot, prefix: "before/", port: first)

        var add = Etcdserverpb_MemberAddRequest()
        add.peerUrls = [fourth.peerURL]
        add.isLearner = true
        let learner = try await clients.cluster(first).memberAdd(add).member
        try await cluster.start("m4", state: "existing").waitUntilServing()
        try await MembershipChangeTests.promote(learner.id, through: clients, port: first)
        add.peerUrls = [fifth.peerURL]
        add.isLearner = false
        let voter = try await clients.cluster(first).memberAdd(add).member
        let joined = try cluster.start("m5", state: "existing")
        try await joined.waitUntilServing()
        #expect(joined.log.contains("installed the leader's snapshot"), "the new member caught up by snapshot")
        for series in ["etcd_snap_db_save_total_duration_seconds_count", "etcd_snap_db_fsync_duration_seconds_count"] {
            #expect(try await PrometheusTests.scrape(joined.clientPort, series) >= 1, "\(series) counts the received database")
        }
        #expect(try await PrometheusTests.sum(joined.clientPort, "etcd_network_snapshot_receive_success") >= 1)
        #expect(try await PrometheusTests.sum(joined.clientPort, "etcd_network_snapshot_receive_total_duration_seconds_count") >= 1)
        #expect(try await PrometheusTests.sum(joined.clientPort, "etcd_network_snapshot_receive_inflights_total") == 0)
        var sent = 0.0
        for seat in cluster.seats where seat.name != "m5" {
            sent += try await PrometheusTests.sum(seat.clientPort, "etcd_network_snapshot_send_success")
        }
        #expect(sent >= 1, "the leader counts the snapshot it sent")

        // Clients of all five, made now that every member listens (a client that met a closed port backs off).
        let everyone = try EndpointClients(ports: cluster.seats.map(\.clientPort))
        let leader = try await ClusterFailureTests().leader(of: cluster, clients: everyone)
        var move = Etcdserverpb_MoveLeaderRequest()
        move.targetID = voter.id
        _ = try await everyone.maintenance(leader.clientPort).moveLeader(move)
        let revision = try await everyone.putMany(50, prefix: "after/", port: fifth.clientPort)
        for seat in cluster.seats {
            let reached = await everyone.waitForRevision(revision, port: seat.clientPort, timeout: .seconds(10))
            #expect(reached, "\(seat.name) gets the new leader's appends")
        }
        await everyone.close()
        await clients.close()
    }

    /// The points of the install a crash test stops at: before the apply loop starts it, with the received
    /// database open but not yet in place, and in place but not yet published.
    static let installCrashPoints = ["snapshotInstallBeforeApply", "snapshotInstallBeforeRename", "snapshotInstallAfterRename"]

    @Test func aCrashAtAnyStepOfASnapshotInstallLosesNothing() async throws {
        let cluster = try TestCluster(size: 3, extraArguments: ClusterFailureTests.fastCluster)
        try cluster.startAll()
        try await cluster.waitUntilServing()
        let clients = try EndpointClients(ports: cluster.seats.map(\.clientPort))
        let first = cluster.seat("m1").clientPort
        for (round, point) in Self.installCrashPoints.enumerated() {
            cluster.kill("m3")
            let survivors = cluster.seats.filter { $0.name != "m3" }
            let leading = try #require(cluster.process(try await ClusterFailureTests().leader(of: cluster, clients: clients, among: survivors).name))
            let compactions = leading.logCompactions
            try await clients.putMany(Self.pastOneSnapshot, prefix: "round\(round)/", port: first)
            try await leading.waitForLogCompaction(after: compactions)
            let crashing = try cluster.start("m3", environment: ["CRASH_POINT": point], executable: Binaries.etcdCrashChild)
            _ = try await crashing.waitForExit(timeout: .seconds(30))
            #expect(crashing.log.contains("crash point \(point) reached"), "\(point): \(crashing.log.suffix(2000))")
            cluster.reap("m3")
            // An orphaned copy for a peer, as a crash while sending one leaves it.
            let snapDirectory = "\(cluster.seat("m3").dataDirectory)/member/snap"
            _ = FileManager.default.createFile(atPath: "\(snapDirectory)/send-42.db", contents: Data([1, 2, 3]))

            let restarted = try cluster.start("m3")
            try await restarted.waitUntilServing()
            // A snapshot the leader sends now (the member fell behind again while it restarted) passes through
            // the same names for a moment; an orphan stays.
            var leftovers: [String] = []
            let settled = ContinuousClock.now + .seconds(10)
            repeat {
                leftovers = try FileManager.default.contentsOfDirectory(atPath: snapDirectory).filter {
                    $0.hasPrefix("send-") || $0.hasSuffix(".snap.db") || $0.hasSuffix(".snap.db.part")
                }
                if !leftovers.isEmpty { try await Task.sleep(for: .milliseconds(100)) }
            } while !leftovers.isEmpty && ContinuousClock.now < settled
            #expect(leftovers.isEmpty, "\(point): the restart leaves no orphaned snapshot files: \(leftovers)")
            let revision = try await clients.putMany(20, prefix: "round\(round)-after/", port: first)
            var hashes: [String: UInt32] = [:]
            for seat in cluster.seats {
                guard await clients.waitForRevision(revision, port: seat.clientPort, timeout: .seconds(20)) else {
                    Issue.record("\(point): \(seat.name) never reached revision \(revision); its log:\n\(cluster.process(seat.name)?.log.suffix(3000) ?? "")")
                    continue
                }
                hashes[seat.name] = try await clients.hashKV(port: seat.clientPort, revision: revision).hash
            }
            #expect(Set(hashes.values).count == 1, "\(point): every member has the same history at revision \(revision): \(hashes)")
        }
        await clients.close()
    }

    @Test func readsScrapesAndSnapshotsDuringAnInstallAreServed() async throws {
        let (cluster, clients, leader, lagger) = try await Self.threeMembers()
        let first = leader.clientPort
        let lagging = lagger.clientPort
        let follower = try #require(cluster.process(lagger.name))
        try await clients.putMany(10, prefix: "warm/", port: lagging)

        try await follower.pause()
        try await clients.putMany(200_000, prefix: "bulk/", port: first, perTxn: 100)
        let served = ServedRequests()
        let load = Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await served.loop("range") { _ = try await clients.read(prefix: "bulk/1999", port: lagging) } }
                group.addTask { await served.loop("hashKV") { _ = try await clients.hashKV(port: lagging, revision: 0) } }
                group.addTask {
                    await served.loop("metrics") {
                        let response = try await RawHTTP.get(port: lagging, "/metrics")
                        guard response.status == 200 else { throw Unexpected(what: "metrics status \(response.status)") }
                    }
                }
                group.addTask {
                    await served.loop("snapshot") {
                        try await clients.maintenance(lagging).snapshot(Etcdserverpb_SnapshotRequest()) { response in
                            for try await _ in response.messages {}
                        }
                    }
                }
            }
        }
        try await follower.resume()
        let deadline = ContinuousClock.now + .seconds(60)
        while follower.isRunning, !follower.log.contains("installed the leader's snapshot"), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        served.markInstalled()
        try await Task.sleep(for: .seconds(1))
        served.stop()
        await load.value
        #expect(follower.isRunning, "the member survives reads during the install: \(follower.log.suffix(3000))")
        #expect(follower.log.contains("installed the leader's snapshot"))
        for kind in ["range", "hashKV", "metrics"] {
            #expect(served.succeededAfterInstall(kind) > 0, "\(kind) answered after the install: \(served.summary)")
        }
        await clients.close()
    }

    @Test func etcdctlWatchOnAFollowerResumesAcrossItsSnapshotInstall() async throws {
        let (cluster, clients, leader, watched) = try await Self.threeMembers()
        let first = leader.clientPort
        let follower = try #require(cluster.process(watched.name))
        let watcher = try BackgroundProgram(
            try Binaries.system("etcdctl"),
            ["--endpoints=\(watched.endpoint)", "watch", "--prefix", "w/"],
            environment: ["ETCDCTL_API": "3", "PATH": "/usr/bin:/bin"]
        )
        // The watch starts at the revision current when it is created: put until it reports one.
        var opened = false
        for attempt in 0..<50 where !opened {
            try await clients.put("w/opening-\(attempt)", "0", port: first)
            opened = try await watcher.waitForOutput(containing: "w/opening-", timeout: .milliseconds(200))
        }
        #expect(opened, "etcdctl watch reports events: \(watcher.errors)")

        let leading = try #require(cluster.process(leader.name))
        let compactions = leading.logCompactions
        try await follower.pause()
        try await clients.putMany(Self.pastTheInflightWindow, prefix: "w/", port: first, concurrency: 1)
        try await leading.waitForLogCompaction(after: compactions)
        try await follower.resume()
        let deadline = ContinuousClock.now + .seconds(30)
        while !follower.log.contains("installed the leader's snapshot"), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(follower.log.contains("installed the leader's snapshot"))
        try await clients.put("w/after", "2", port: first)
        let resumed = try await watcher.waitForOutput(containing: "w/after", timeout: .seconds(15))
        #expect(resumed, "etcdctl watch goes on after the install: \(watcher.output.suffix(500)) \(watcher.errors)")
        #expect(watcher.isRunning)
        watcher.stop()

        let lines = watcher.output.split(separator: "\n").map(String.init)
        var seen: [String: Int] = [:]
        for (index, line) in lines.enumerated() where line == "PUT" && index + 1 < lines.count {
            seen[lines[index + 1], default: 0] += 1
        }
        let keys = (0..<Self.pastTheInflightWindow).map { "w/\($0)" } + ["w/after"]
        #expect(keys.allSatisfy { seen[$0] == 1 }, "every event once: \(keys.filter { seen[$0] != 1 }.prefix(10))")
        await clients.close()
    }

    /// A fast three-member cluster serving clients, its leader and one follower.
    static func threeMembers() async throws -> (TestCluster, EndpointClients, leader: TestCluster.Seat, follower: TestCluster.Seat) {
        let cluster = try TestCluster(size: 3, extraArguments: ClusterFailureTests.fastCluster)
        try cluster.startAll()
        try await cluster.waitUntilServing()
        let clients = try EndpointClients(ports: cluster.seats.map(\.clientPort))
        let leader = try await ClusterFailureTests().leader(of: cluster, clients: clients)
        let follower = try #require(cluster.seats.first { $0.name != leader.name })
        return (cluster, clients, leader, follower)
    }

    struct Unexpected: Error, CustomStringConvertible {
        let what: String
        var description: String { self.what }
    }
}

/// Counts the requests of each kind a member answered while a test loops on them, before and after a
/// moment the test marks.
final class ServedRequests: Sendable {
    private struct Counts {
        var succeeded: [String: Int] = [:]
        var succeededAfter: [String: Int] = [:]
        var failed: [String: Int] = [:]
        var installed = false
        var stopped = false
    }

    private let counts = Mutex(Counts())

    /// Runs `request` again and again until ``stop()``, counting outcomes under `kind`.
    func loop(_ kind: String, _ request: @Sendable () async throws -> Void) async {
        while !self.counts.withLock({ $0.stopped }) {
            do {
                try await request()
                self.counts.withLock { counts in
                    counts.succeeded[kind, default: 0] += 1
                    if counts.installed { counts.succeededAfter[kind, default: 0] += 1 }
                }
            } catch {
                self.counts.withLock { $0.failed[kind, default: 0] += 1 }
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    func markInstalled() { self.counts.withLock { $0.installed = true } }
    func stop() { self.counts.withLock { $0.stopped = true } }
    func succeededAfterInstall(_ kind: String) -> Int { self.counts.withLock { $0.succeededAfter[kind] ?? 0 } }
    var summary: String {
        self.counts.withLock { "succeeded \($0.succeeded), after the install \($0.succeededAfter), failed \($0.failed)" }
    }
}
