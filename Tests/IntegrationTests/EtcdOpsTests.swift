import EtcdClient
import EtcdProto
import Foundation
import Glibc
import ProcessTestSupport
import Testing

/// `etcd-ops` against real members: a backup taken while clients write restores a three-member cluster
/// holding every write up to its revision, with its revision; a Go etcd snapshot restores the same way (the
/// members from a YAML plan);
/// bad input (unreachable endpoints, an unusable directory, a damaged backup, a held lock) is refused with
/// its own exit code and leaves nothing behind; retention keeps what it should; the metrics file passes
/// promtool; variables stand in for flags; status and health judge the cluster.
@Suite(.serialized) struct EtcdOpsTests {
    private static let environment = ["PATH": "/usr/bin:/bin"]

    private static func ops(_ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(120)) async throws -> ProgramResult {
        try await ProcessRunner.run(Binaries.etcdOps, arguments, environment: Self.environment.merging(environment) { $1 }, timeout: timeout)
    }

    private static func temporaryDirectory(_ name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("etcd-ops-\(name)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Every key under `prefix` with its value and modification revision.
    private static func contents(_ client: EtcdClient, prefix: String) async throws -> [String: String] {
        let answer = try await client.range(RangeRequests.prefix(Array(prefix.utf8)))
        return Dictionary(uniqueKeysWithValues: answer.kvs.map {
            (String(decoding: $0.key, as: UTF8.self), "\(String(decoding: $0.value, as: UTF8.self))@\($0.modRevision)")
        })
    }

    /// Restores `backup` into a new three-member cluster with one `etcd-ops restore` call, starts it and
    /// returns it with a client.
    /// With `plan`, the members come from a `--cluster-from` YAML file instead of `--member` flags.
    private static func restoredCluster(from backup: String, plan: Bool = false) async throws -> (TestCluster, EtcdClient) {
        let restored = try TestCluster(size: 3, extraArguments: ClusterFailureTests.fastCluster)
        var arguments = ["restore", backup]
        if plan {
            let members = restored.seats.map { "  - name: \($0.name)\n    data-dir: \($0.dataDirectory)\n    peer-urls: \($0.peerURL)\n" }
            let file = "\(restored.root)/plan.yaml"
            try Data("initial-cluster-token: \(restored.token)\nmembers:\n\(members.joined())".utf8).write(to: URL(fileURLWithPath: file))
            arguments += ["--cluster-from", file]
        } else {
            arguments += ["--initial-cluster", restored.initialCluster(), "--initial-cluster-token", restored.token]
            for seat in restored.seats { arguments += ["--member", "\(seat.name)=\(seat.dataDirectory)"] }
        }
        let result = try await Self.ops(arguments)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.split(separator: "\n").count == 3, "one line per member: \(result.standardOutput)")
        try restored.startAll()
        try await restored.waitUntilServing()
        return (restored, try EtcdClient(endpoints: restored.endpoints))
    }

    @Test func aBackupUnderWritesRestoresEveryWriteUpToItsRevision() async throws {
        let cluster = try TestCluster(size: 3, extraArguments: ClusterFailureTests.fastCluster)
        try cluster.startAll()
        try await cluster.waitUntilServing()
        let clients = try EndpointClients(ports: cluster.seats.map(\.clientPort))
        let writer = LoadWriter(clients: clients, ports: cluster.seats.map(\.clientPort))
        writer.start(writers: 4)
        try await writer.waitFor(more: 200)
        let directory = try Self.temporaryDirectory("backups")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let backup = try await Self.ops(["backup", "--endpoints", cluster.endpoints.joined(separator: ","), "--dir", directory])
        try await writer.waitFor(more: 100)
        await writer.stop()
        #expect(backup.status == 0, "\(backup.standardError)")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".db.zlib") }
        #expect(files.count == 1)
        let path = "\(directory)/\(files[0])"
        let manifest = try BackupManifestFile.read(path + ".json")

        let original = try EtcdClient(endpoints: cluster.endpoints)
        let everything = try await Self.contents(original, prefix: LoadWriter.prefix)
        let verify = try await Self.ops(["verify", path, "-w", "json"])
        #expect(verify.status == 0, "\(verify.standardError)")
        let revision = Int64(verify.standardOutput.firstMatch(of: /"revision":([0-9]+)/).map { String($0.1) } ?? "") ?? 0
        #expect(revision >= manifest.revision)
        let expected = everything.filter { Int64($0.value.split(separator: "@").last!)! <= revision }
        #expect(expected.count >= 200 && expected.count < everything.count, "the backup fell between the writes")
        for (key, value) in writer.writes where everything[key] == nil {
            Issue.record("acknowledged \(key)=\(value) is missing from the original cluster")
        }

        let (restored, client) = try await Self.restoredCluster(from: path)
        let got = try await Self.contents(client, prefix: LoadWriter.prefix)
        #expect(got == expected, "every write up to revision \(revision), with its revision, and nothing after")
        await client.close()
        await original.close()
        await clients.close()
        _ = restored
    }

    @Test func aGoEtcdSnapshotCompressedWithGzipRestoresToo() async throws {
        let member = try MemberProcess(executable: try Binaries.system("etcd"))
        try await member.waitUntilServing()
        let go = try EtcdClient(endpoints: ["127.0.0.1:\(member.clientPort)"])
        for index in 0..<300 { try await go.put("go/\(index)", "from Go etcd \(index)") }
        let expected = try await Self.contents(go, prefix: "go/")
        await go.close()
        let directory = try Self.temporaryDirectory("go")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let saved = try await Etcdctl.run(["127.0.0.1:\(member.clientPort)"], ["snapshot", "save", "\(directory)/go.db"], timeout: "60s")
        #expect(saved.status == 0, "\(saved)")
        let gzip = try await ProcessRunner.run(URL(fileURLWithPath: "/bin/gzip"), ["\(directory)/go.db"])
        #expect(gzip.status == 0)
        let verify = try await Self.ops(["verify", "\(directory)/go.db.gz"])
        #expect(verify.status == 0 && verify.standardOutput.contains("| TOTAL KEYS |"), "\(verify.standardError)")
        let (restored, client) = try await Self.restoredCluster(from: "\(directory)/go.db.gz", plan: true)
        #expect(try await Self.contents(client, prefix: "go/") == expected)
        await client.close()
        _ = restored
    }

    @Test func badInputIsRefusedWithItsExitCodeAndLeavesNothing() async throws {
        let member = try MemberProcess()
        try await member.waitUntilServing()
        let endpoint = "127.0.0.1:\(member.clientPort)"
        let directory = try Self.temporaryDirectory("bad")
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let dead = ["127.0.0.1:\(try FreePort.next())", "127.0.0.1:\(try FreePort.next())"]
        let unreachable = try await Self.ops(["backup", "--endpoints", dead.joined(separator: ","), "--dir", directory, "--dial-timeout", "300ms"])
        #expect(unreachable.status == 2)
        #expect(dead.allSatisfy { unreachable.standardError.contains($0) }, "each endpoint named: \(unreachable.standardError)")

        let first = try await Self.ops(["backup", "--endpoints", endpoint, "--dir", directory])
        #expect(first.status == 0, "\(first.standardError)")
        let before = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()

        let notADirectory = "\(directory)/\(before.first { $0.hasSuffix(".zlib") }!)"
        let intoAFile = try await Self.ops(["backup", "--endpoints", endpoint, "--dir", notADirectory])
        #expect(intoAFile.status == 4, "\(intoAFile.standardError)")

        let lockPath = "\(directory)/.etcd-ops.lock"
        let lock = open(lockPath, O_RDWR)
        #expect(flock(lock, LOCK_EX | LOCK_NB) == 0)
        let overlapping = try await Self.ops(["backup", "--endpoints", endpoint, "--dir", directory])
        #expect(overlapping.status == 5)
        #expect(overlapping.standardError.contains("another etcd-ops backup is running in \(directory)"), "\(overlapping.standardError)")
        flock(lock, LOCK_UN)
        close(lock)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == before, "nothing left, nothing removed")

        let backup = "\(directory)/\(before.first { $0.hasSuffix(".zlib") }!)"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: backup))
        for (name, damaged) in [("truncated", bytes.prefix(bytes.count / 2)), ("altered", Self.flipped(bytes, at: bytes.count / 2))] {
            let copy = "\(directory)/\(name).db.zlib"
            try Data(damaged).write(to: URL(fileURLWithPath: copy))
            let verify = try await Self.ops(["verify", copy])
            #expect(verify.status == 3, "\(name): \(verify.standardError)")
            let target = "\(directory)/restore-\(name)"
            let restore = try await Self.ops(["restore", copy, "--data-dir", target])
            #expect(restore.status == 3, "\(name): \(restore.standardError)")
            #expect(!FileManager.default.fileExists(atPath: target), "\(name): no data directory is left")
        }
        try Data(bytes).write(to: URL(fileURLWithPath: "\(directory)/copy.db.zlib"))
        try Data("{\"file\":1}".utf8).write(to: URL(fileURLWithPath: "\(directory)/copy.db.zlib.json"))
        #expect(try await Self.ops(["verify", "\(directory)/copy.db.zlib"]).status == 3, "a manifest that does not fit")
    }

    private static func flipped(_ data: Data, at index: Int) -> Data {
        var copy = data
        copy[copy.startIndex + index] ^= 0xFF
        return copy
    }

    @Test func retentionMetricsVariablesStatusAndHealth() async throws {
        let member = try MemberProcess()
        try await member.waitUntilServing()
        let endpoint = "127.0.0.1:\(member.clientPort)"
        let directory = try Self.temporaryDirectory("retention")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data("not ours".utf8).write(to: URL(fileURLWithPath: "\(directory)/etcd-backup-notes.txt"))
        let metrics = "\(directory)/metrics/etcd_backup.prom"
        try FileManager.default.createDirectory(atPath: "\(directory)/metrics", withIntermediateDirectories: true)
        let variables = ["ETCDCTL_ENDPOINTS": endpoint, "ETCD_OPS_DIR": directory, "ETCD_OPS_KEEP_LAST": "2", "ETCD_OPS_METRICS_FILE": metrics]
        let client = try EtcdClient(endpoints: [endpoint])
        for round in 0..<3 {
            try await client.put("round", "\(round)")
            let run = try await Self.ops(["backup"], environment: variables)
            #expect(run.status == 0, "\(run.standardError)")
            try await Task.sleep(for: .milliseconds(1_100))
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(names.filter { $0.hasSuffix(".db.zlib") }.count == 2, "\(names)")
        #expect(names.filter { $0.hasSuffix(".db.zlib.json") }.count == 2)
        #expect(names.contains("etcd-backup-notes.txt"), "files the tool did not make stay")
        let newest = try #require(names.last { $0.hasSuffix(".db.zlib") })
        let verify = try await Self.ops(["verify", "\(directory)/\(newest)"], environment: variables)
        #expect(verify.status == 0, "verify takes no connection flags, so ETCDCTL_ENDPOINTS is not one: \(verify.standardError)")

        _ = try await Self.ops(["backup", "--endpoints", "127.0.0.1:\(try FreePort.next())", "--dial-timeout", "200ms"], environment: variables)
        let text = try String(contentsOfFile: metrics, encoding: .utf8)
        #expect(text.contains("etcd_ops_backup_failures_total{reason=\"unreachable\"} 1\n"), "\(text)")
        #expect(text.contains("etcd_ops_backup_last_success_timestamp_seconds "))
        let promtool = try await ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/promtool"), ["check", "metrics"], input: text)
        #expect(promtool.status == 0, "\(promtool.standardOutput)\(promtool.standardError)")

        let status = try await Self.ops(["status", "--endpoints", endpoint, "-w", "json"])
        #expect(status.status == 0, "\(status.standardError)")
        #expect(status.standardOutput.contains("\"health\":\"healthy\"") && status.standardOutput.contains("\"leader\":\"true\""))
        let health = try await Self.ops(["health", "--endpoint", endpoint])
        #expect(health.status == 0 && health.standardOutput.hasPrefix("\(endpoint) is healthy: successfully committed proposal: took = "))
        let deadEndpoint = "127.0.0.1:\(try FreePort.next())"
        let down = try await Self.ops(["health", "--endpoint", deadEndpoint, "--dial-timeout", "200ms"])
        #expect(down.status == 1 && down.standardError.contains("\(deadEndpoint) is unhealthy"), "\(down.standardError)")
        let mixed = try await Self.ops(["status", "--endpoints", "\(endpoint),\(deadEndpoint)", "--dial-timeout", "200ms"])
        #expect(mixed.status == 1 && mixed.standardOutput.contains("unreachable"), "\(mixed.standardOutput)")
        let none = try await Self.ops(["status", "--endpoints", deadEndpoint, "--dial-timeout", "200ms"])
        #expect(none.status == 2, "no member answers: \(none.standardOutput)")
        await client.close()
    }
}

extension EtcdOpsTests {
    @Test func aRollingDefragmentationGoesLeaderLastSkipsTightMembersAndDisarmsNoSpace() async throws {
        let quota = 16 * 1024 * 1024
        let cluster = try TestCluster(size: 3, extraArguments: ClusterFailureTests.fastCluster + ["--quota-backend-bytes", "\(quota)"])
        try cluster.startAll()
        try await cluster.waitUntilServing()
        let client = try EtcdClient(endpoints: cluster.endpoints)
        let value = String(repeating: "v", count: 100_000)
        var full = false
        for index in 0..<1_000 where !full {
            do {
                try await client.put("fill/\(index)", value)
            } catch {
                #expect(error.message == "etcdserver: mvcc: database space exceeded")
                full = true
            }
        }
        #expect(full, "the quota filled up")
        let endpoints = ["--endpoints", cluster.endpoints[0]]
        let refused = try await Self.ops(["defrag", "--rolling"] + endpoints + ["--min-free", "0.5"])
        #expect(refused.status == 0, "a NOSPACE alarm alone does not stop it: \(refused.standardError)")
        #expect(refused.standardOutput.split(separator: "\n").allSatisfy { $0.hasPrefix("Skipped ") }, "nothing is free yet: \(refused.standardOutput)")

        _ = try await client.delete("fill/", prefix: true)
        let revision = try await client.range(RangeRequests.key(Array("none".utf8))).header.revision
        _ = try await client.compact(revision: revision, physical: true)
        let rolled = try await Self.ops(["defrag", "--rolling"] + endpoints + ["--min-free", "0.5", "--disarm-nospace"])
        #expect(rolled.status == 0, "\(rolled.standardError)")
        let lines = rolled.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(lines)")
        #expect(lines.prefix(3).allSatisfy { $0.hasPrefix("Defragmented m") }, "\(lines)")
        #expect(lines.prefix(2).allSatisfy { !$0.contains("(leader)") } && lines[2].contains("(leader)"), "the leader goes last: \(lines)")
        for line in lines.prefix(3) {
            let sizes = line.firstMatch(of: /: ([0-9]+) -> ([0-9]+) bytes$/)
            #expect(sizes.map { Int($0.2)! < Int($0.1)! } == true, "smaller after: \(line)")
        }
        #expect(lines.last == "Disarmed NOSPACE: every member is under its quota")
        #expect(try await client.alarms().alarms.isEmpty)
        try await client.put("after", "writes work again")

        let again = try await Self.ops(["defrag", "--rolling"] + endpoints + ["--min-free", "0.5"])
        #expect(again.standardOutput.split(separator: "\n").count == 3 && !again.standardOutput.contains("Defragmented"), "\(again.standardOutput)")
        #expect(try await Self.ops(["defrag"] + endpoints).status == 64, "only --rolling")
        await client.close()
    }
}

extension EtcdOpsTests {
    @Test func aScheduledBackupServiceBacksUpOnTheMinuteAndServesItsMetrics() async throws {
        let member = try MemberProcess()
        try await member.waitUntilServing()
        let directory = try Self.temporaryDirectory("scheduled")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let killed = "\(directory)/etcd-backup-20200101T000000Z-r1.db.zlib.part"
        try Data("left by a killed run".utf8).write(to: URL(fileURLWithPath: killed))
        let port = try FreePort.next()
        let service = try BackgroundProgram(
            Binaries.etcdOps,
            ["backup", "--endpoints", "127.0.0.1:\(member.clientPort)", "--dir", directory, "--schedule", "* * * * *",
             "--listen-metrics", "http://127.0.0.1:\(port)"],
            environment: Self.environment
        )
        #expect(try await service.waitForOutput(containing: "Backing up on", timeout: .seconds(10)), "\(service.errors)")
        #expect(try await service.waitForOutput(containing: "Backup saved at", timeout: .seconds(75)), "\(service.errors)")
        let scrape = try await RawHTTP.request(port: port, "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        #expect(scrape.contains("etcd_ops_backup_last_success_timestamp_seconds "), "\(scrape)")
        #expect(scrape.contains("etcd_ops_backup_failures_total{reason=\"failed\"} 0"))
        #expect(service.isRunning, "the service keeps going")
        service.stop()
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        #expect(names.filter { $0.hasSuffix(".db.zlib") }.count == 1, "\(names)")
        #expect(!names.contains { $0.hasSuffix(".part") }, "a killed run's .part is removed under the lock")
        let refused = try await Self.ops(["backup", "--dir", directory, "--schedule", "61 * * * *"])
        #expect(refused.status == 64 && refused.standardError.contains("minute 61 is out of range 0-59"), "\(refused.standardError)")
    }
}

extension EtcdOpsTests {
    /// The backup directory is a 256 KiB tmpfs in a mount namespace of its own, holding an older backup;
    /// the new backup (about 1 MB before compression, random values that do not compress) cannot fit.
    @Test(.enabled(if: getuid() == 0, "mounting a tmpfs in a new mount namespace needs root"))
    func aFullBackupDirectoryFailsWithoutAPartFileAndKeepsOlderBackups() async throws {
        let member = try MemberProcess()
        try await member.waitUntilServing()
        let client = try EtcdClient(endpoints: ["127.0.0.1:\(member.clientPort)"])
        var generator = SystemRandomNumberGenerator()
        for index in 0..<100 {
            let noise = (0..<6_000).map { _ in String(UInt8.random(in: 97...122, using: &generator), radix: 36) }.joined()
            try await client.put("noise/\(index)", noise)
        }
        await client.close()
        let directory = try Self.temporaryDirectory("full")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let older = "etcd-backup-20260101T000000Z-r1.db.zlib"
        let script = """
            mount -t tmpfs -o size=256k tmpfs \(directory) && printf old > \(directory)/\(older) && printf '{}' > \(directory)/\(older).json \
            && { \(Binaries.etcdOps.path) backup --endpoints 127.0.0.1:\(member.clientPort) --dir \(directory) --keep-last 1; \
            echo "exit $?"; ls -A \(directory); }
            """
        let result = try await ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/unshare"), ["-m", "sh", "-c", script], environment: Self.environment)
        #expect(result.standardOutput.contains("exit 4"), "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardError.contains("No space left on device"), "\(result.standardError)")
        let left = result.standardOutput.split(separator: "\n").dropFirst().map(String.init).sorted()
        #expect(left == [".etcd-ops.lock", older, older + ".json"], "no .part, the older backup intact: \(left)")
    }
}

/// The manifest beside a backup, read the way a script would.
private enum BackupManifestFile {
    struct Manifest: Decodable {
        let revision: Int64
    }

    static func read(_ path: String) throws -> Manifest {
        try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
