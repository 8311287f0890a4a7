import EtcdProto
import Foundation
import Glibc
import Testing

/// `etcd-ops member replace` against real members: every member of a three-member cluster replaced in
/// turn while a client writes every 10 ms loses no acknowledged write; a replacement whose etcd-ops
/// aborts after each of its steps and is run again ends with the intended members; an unreachable
/// old member is removed before its replacement is added; an unknown member is refused before any change;
/// `--backup-dir` takes a backup before the first change.
@Suite(.serialized) struct MemberReplaceTests {
    private static let environment = ["PATH": "/usr/bin:/bin"]

    /// An `etcd-ops member replace` of `old` by seat `new`, running in the background.
    private static func replace(_ cluster: TestCluster, old: String, new: TestCluster.Seat, directory: String,
                                extra: [String] = [], program: URL = Binaries.etcdOps, environment: [String: String] = [:]) throws -> BackgroundProgram {
        let endpoints = cluster.seats.filter { cluster.process($0.name) != nil }.map(\.endpoint).joined(separator: ",")
        return try BackgroundProgram(program, [
            "member", "replace", "--endpoints=\(endpoints)", "--old", old, "--new-name", new.name,
            "--new-peer-url", new.peerURL, "--new-client-url", new.clientURL, "--env-file", "\(directory)/\(new.name).env",
            "--journal", "\(directory)/journal.json", "--wait-timeout", "60s",
        ] + extra, environment: Self.environment.merging(environment) { _, given in given })
    }

    /// Starts seat `new` from the environment file etcd-ops wrote, once it exists; true when started.
    private static func startFromEnvironmentFile(_ cluster: TestCluster, new: TestCluster.Seat, directory: String) throws -> Bool {
        guard cluster.process(new.name) == nil,
            let text = try? String(contentsOfFile: "\(directory)/\(new.name).env", encoding: .utf8)
        else { return false }
        var environment: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { environment[parts[0]] = parts[1] }
        }
        try cluster.start(new.name, arguments: [
            "--data-dir", new.dataDirectory, "--listen-client-urls", new.clientURL, "--listen-peer-urls", new.peerURL,
            "--initial-cluster-token", cluster.token,
        ] + cluster.extraArguments, environment: environment)
        return true
    }

    /// Runs a replacement to its end, starting the new member when its environment appears.
    private static func finish(_ program: BackgroundProgram, _ cluster: TestCluster, new: TestCluster.Seat, directory: String,
                               timeout: Duration = .seconds(120)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while program.isRunning, ContinuousClock.now < deadline {
            _ = try Self.startFromEnvironmentFile(cluster, new: new, directory: directory)
            try await Task.sleep(for: .milliseconds(50))
        }
        program.stop(signal: SIGKILL)
        return program.exitStatus ?? -1
    }

    /// Waits until the removed member's process has stopped by itself, then forgets it.
    private static func retire(_ cluster: TestCluster, _ name: String) async throws {
        if let process = cluster.process(name) {
            let deadline = ContinuousClock.now + .seconds(15)
            while process.isRunning, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(!process.isRunning, "removed member \(name) stops itself")
        }
        cluster.kill(name)
    }

    private static func names(_ clients: EndpointClients, port: Int) async throws -> [String] {
        try await clients.cluster(port).memberList(Etcdserverpb_MemberListRequest()).members.map(\.name).sorted()
    }

    private static func directory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("etcd-ops-replace-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func everyMemberReplacedInTurnWhileAClientWritesEvery10ms() async throws {
        let cluster = try TestCluster(size: 3, extraArguments: ClusterFailureTests.fastCluster)
        try cluster.startAll()
        try await cluster.waitUntilServing()
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: "\(directory)/backups", withIntermediateDirectories: true)
        let newSeats = try (4...6).map { try cluster.addSeat("m\($0)") }
        // The writer is a process of its own (LoadGenerator's paced client, EtcdClient over every endpoint), so
        // that what it measures is the cluster, not this test process's scheduling while other suites run.
        let everyEndpoint = cluster.seats.map(\.endpoint).joined(separator: ",")
        let writer = try BackgroundProgram(Binaries.loadGenerator, [
            "--endpoints", everyEndpoint, "--op", "paced", "--interval-ms", "10", "--until-file", "\(directory)/stop",
        ], environment: Self.environment)
        try await Task.sleep(for: .milliseconds(300))
        for (index, new) in newSeats.enumerated() {
            let old = "m\(index + 1)"
            let backups = index == 0 ? ["--backup-dir", "\(directory)/backups"] : []
            let program = try Self.replace(cluster, old: old, new: new, directory: directory, extra: backups)
            let status = try await Self.finish(program, cluster, new: new, directory: directory)
            #expect(status == 0, "replacing \(old): \(program.output)\n\(program.errors)\n\(cluster.logs.suffix(4000))")
            #expect(program.output.contains("Replaced \(old) with \(new.name)"), "\(program.output)")
            try await Self.retire(cluster, old)
        }
        try await Task.sleep(for: .milliseconds(300))
        #expect(FileManager.default.createFile(atPath: "\(directory)/stop", contents: nil), "the writer's stop file is made")
        let deadline = ContinuousClock.now + .seconds(10)
        while writer.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        let summary = writer.output
        #expect(writer.exitStatus == 0, "\(summary)\n\(writer.errors)")
        let acknowledged = Int(summary.firstMatch(of: /ok=([0-9]+)/)?.1 ?? "") ?? 0
        let gap = Double(summary.firstMatch(of: /longest_gap_ms=([0-9.]+)/)?.1 ?? "") ?? .infinity
        print("rolling replacement of 3 members: \(summary.trimmingCharacters(in: .whitespacesAndNewlines))")
        #expect(acknowledged > 100, "\(summary)")
        #expect(gap < 10_000, "\(summary)")
        let ports = newSeats.map(\.clientPort)
        let clients = try EndpointClients(ports: ports)
        #expect(try await Self.names(clients, port: ports[0]) == ["m4", "m5", "m6"])
        for port in ports {
            let held = try await clients.read(prefix: "paced/", port: port, serializable: false).values
            let missing = (0..<acknowledged).filter { held[String(format: "paced/%010d", $0)]?.count != 256 }
            #expect(missing.isEmpty, "member on port \(port) lost \(missing.count) of \(acknowledged) acknowledged writes")
        }
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/journal.json"), "the journal goes when the replacement is done")
        let backups = try FileManager.default.contentsOfDirectory(atPath: "\(directory)/backups")
        #expect(backups.filter { $0.hasSuffix(".json") }.count == 1, "one backup before the first change: \(backups)")
        await clients.close()
    }

    @Test func abortedAfterEveryStepAndRunAgainItFinishesAndDeadMembersGoFirst() async throws {
        let cluster = try TestCluster(size: 3, extraArguments: ClusterFailureTests.fastCluster)
        try cluster.startAll()
        try await cluster.waitUntilServing()
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fourth = try cluster.addSeat("m4")
        let fifth = try cluster.addSeat("m5")
        let clients = try EndpointClients(ports: cluster.seats.map(\.clientPort))
        let first = cluster.seat("m1").clientPort

        let unknown = try Self.replace(cluster, old: "nosuch", new: fourth, directory: directory)
        #expect(try await Self.finish(unknown, cluster, new: fourth, directory: directory) == 64)
        #expect(unknown.errors.contains("etcd-ops: member nosuch is not in the cluster"), "\(unknown.errors)")
        #expect(try await Self.names(clients, port: first) == ["m1", "m2", "m3"])
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/journal.json"))

        var status = Etcdserverpb_StatusRequest()
        status = Etcdserverpb_StatusRequest()
        let leaderID = try await clients.maintenance(first).status(status).leader
        let members = try await clients.cluster(first).memberList(Etcdserverpb_MemberListRequest()).members
        let old = try #require(members.first { $0.id == leaderID }).name
        // Each run aborts right after its first step (the crash child, named etcd-ops, honours CRASH_POINT);
        // the next run must find where the replacement stands. The new member is started, and has
        // published itself, before the run after the one that printed its environment.
        let crashing = "\(directory)/etcd-ops"
        try FileManager.default.createSymbolicLink(atPath: crashing, withDestinationPath: Binaries.etcdCrashChild.path)
        let crashEnvironment = ["CRASH_POINT": "memberReplaceStep", "SWIFT_BACKTRACE": "enable=no"]
        let steps = ["Moved leadership", "Added learner", "Start the new member with:", "has started", "Promoted", "Removed member"]
        var abortedAfter: [[String]] = []
        for _ in 0..<8 {
            let program = try Self.replace(cluster, old: old, new: fourth, directory: directory,
                                           program: URL(fileURLWithPath: crashing), environment: crashEnvironment)
            let status = try await Self.finish(program, cluster, new: fourth, directory: directory)
            if status == 0 { break }
            #expect(program.errors.contains("crash point memberReplaceStep reached"), "\(program.output)\n\(program.errors)")
            abortedAfter.append(steps.filter { program.output.contains($0) })
            // `finish` may have started the new member already, as soon as its environment appeared: wait for
            // it either way (it serves clients only once it has published itself).
            _ = try Self.startFromEnvironmentFile(cluster, new: fourth, directory: directory)
            if let started = cluster.process(fourth.name) {
                try await started.waitUntilServing()
            }
        }
        #expect(abortedAfter == [["Moved leadership"], ["Added learner"], ["Start the new member with:"], ["has started", "Promoted"], ["Removed member"]])
        // Run once more: a finished replacement (its journal gone) is recognised and only verified.
        let last = try Self.replace(cluster, old: old, new: fourth, directory: directory)
        #expect(try await Self.finish(last, cluster, new: fourth, directory: directory) == 0, "\(last.output)\n\(last.errors)")
        #expect(last.output.contains("Replaced \(old) with m4"), "\(last.output)")
        try await Self.retire(cluster, old)
        let remaining = cluster.seats.filter { cluster.process($0.name) != nil }
        #expect(try await Self.names(clients, port: remaining[0].clientPort) == (["m1", "m2", "m3", "m4"].filter { $0 != old }))

        let dead = remaining.first { $0.name != "m4" }!.name
        cluster.kill(dead)
        let revived = try Self.replace(cluster, old: dead, new: fifth, directory: directory)
        #expect(try await Self.finish(revived, cluster, new: fifth, directory: directory) == 0, "\(revived.output)\n\(revived.errors)")
        let output = revived.output
        let removedAt = try #require(output.range(of: "Removed unreachable member \(dead)"), "\(output)")
        let addedAt = try #require(output.range(of: "Added learner m5"), "\(output)")
        #expect(removedAt.lowerBound < addedAt.lowerBound)
        let survivors = cluster.seats.filter { cluster.process($0.name) != nil }
        #expect(try await Self.names(clients, port: survivors[0].clientPort) == survivors.map(\.name).sorted())
        #expect(survivors.count == 3)
        await clients.close()
    }
}
