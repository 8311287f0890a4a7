import Foundation
import Glibc
import ProcessTestSupport
import Synchronization

/// One `etcd` member process started by a test, with its log in a temporary file. Stopped (SIGKILL if
/// need be) when the test releases it.
final class MemberProcess: Sendable {
    let process = Process()
    let clientPort: Int
    let peerPort: Int
    let logURL: URL
    /// The data directory the test made for the member (removed with it), or nil if the arguments named one.
    private let ownDataDirectory: String?
    private let stopped = Mutex(false)
    private let exit = Mutex<Int32?>(nil)

    /// Starts `executable` (our `etcd` unless given) with `arguments`. Unless the arguments say otherwise, the member gets client and peer
    /// URLs on free loopback ports, a one-member `--initial-cluster` of itself, a fresh data directory and
    /// bcrypt cost 4.
    init(
        arguments: [String] = [],
        environment: [String: String] = [:],
        clientPort: Int? = nil,
        peerPort: Int? = nil,
        executable: URL = Binaries.etcd
    ) throws {
        self.clientPort = try clientPort ?? FreePort.next()
        self.peerPort = try peerPort ?? FreePort.next()
        self.logURL = FileManager.default.temporaryDirectory
            .appendingPathComponent("etcd-swift-test-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: self.logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: self.logURL)
        var allArguments = arguments
        func given(_ flag: String) -> Bool {
            arguments.contains { $0.contains(flag) } || environment.keys.contains("ETCD_" + flag.uppercased().replacingOccurrences(of: "-", with: "_"))
        }
        if !given("listen-client-urls") {
            let url = "http://127.0.0.1:\(self.clientPort)"
            allArguments += ["--listen-client-urls", url, "--advertise-client-urls", url]
        }
        if !given("listen-peer-urls") {
            let url = "http://127.0.0.1:\(self.peerPort)"
            allArguments += ["--listen-peer-urls", url, "--initial-advertise-peer-urls", url]
            if !given("initial-cluster") {
                let name = Self.value(of: "--name", in: arguments) ?? environment["ETCD_NAME"] ?? "default"
                allArguments += ["--initial-cluster", "\(name)=\(url)"]
            }
        }
        // bcrypt's lowest cost, as etcd's own integration clusters use: at the default cost of 10 each
        // Authenticate and user add spends about 60 ms of CPU, which on a machine busy with a whole test run
        // grows past the 2 s clientv3 and etcdctl allow an authentication. Tests of the cost itself say one.
        if !given("bcrypt-cost") && !given("config-file") {
            allArguments += ["--bcrypt-cost", "4"]
        }
        if given("data-dir") || given("config-file") {
            self.ownDataDirectory = nil
        } else {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("etcd-swift-data-\(UUID().uuidString)").path
            self.ownDataDirectory = directory
            allArguments += ["--data-dir", directory]
        }
        self.process.executableURL = executable
        self.process.arguments = allArguments
        // A member that crashes (a crash point's abort, or a bug) prints its backtrace unsymbolicated: the
        // symbolication of this large binary can outlast a test's wait on a loaded machine.
        self.process.environment = ProcessInfo.processInfo.environment
            .filter { !$0.key.hasPrefix("ETCD_") && $0.key != "NOTIFY_SOCKET" }
            .merging(["SWIFT_BACKTRACE": "symbolicate=off"]) { own, _ in own }
            .merging(environment) { _, new in new }
        self.process.standardOutput = log
        self.process.standardError = log
        try self.process.run()
    }

    /// The value following `flag` (or given as `flag=value`) in `arguments`.
    private static func value(of flag: String, in arguments: [String]) -> String? {
        for (index, argument) in arguments.enumerated() {
            if argument.hasPrefix(flag + "=") { return String(argument.dropFirst(flag.count + 1)) }
            if argument == flag, index + 1 < arguments.count { return arguments[index + 1] }
        }
        return nil
    }

    deinit {
        self.kill()
        if let directory = self.ownDataDirectory {
            try? FileManager.default.removeItem(atPath: directory)
        }
        try? FileManager.default.removeItem(at: self.logURL)
    }

    /// What the member has logged so far.
    var log: String {
        (try? String(contentsOf: self.logURL, encoding: .utf8)) ?? ""
    }

    /// How many times the member has snapshotted and compacted its Raft log so far.
    var logCompactions: Int {
        self.log.components(separatedBy: "saved snapshot and compacted the Raft log").count - 1
    }

    /// Waits until the member has compacted its Raft log more than `count` times (at most `timeout`).
    func waitForLogCompaction(after count: Int, timeout: Duration = .seconds(20)) async throws {
        let deadline = ContinuousClock.now + timeout
        while self.logCompactions <= count {
            guard ContinuousClock.now < deadline else { throw MemberFailed(reason: "did not compact its log within \(timeout)", log: self.log) }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Waits until the client port answers `GET /version`.
    func waitUntilServing(timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let status = self.exitStatus {
                throw MemberFailed(reason: "exited with status \(status)\(await self.portHolders())", log: self.log)
            }
            if let response = try? await RawHTTP.get(port: self.clientPort, "/version"), response.status == 200 {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw MemberFailed(reason: "not serving after \(timeout)", log: self.log)
    }

    /// When the member could not bind one of its ports, the sockets `ss` shows on them now (with their
    /// processes when run as root): a port taken between `FreePort` and the bind has happened in full-suite
    /// runs, and this names who took it.
    private func portHolders() async -> String {
        guard self.log.contains("address already in use"), let ss = try? Binaries.system("ss") else { return "" }
        let filter = "( sport = :\(self.clientPort) or sport = :\(self.peerPort) )"
        let shown = try? await ProcessRunner.run(ss, ["-tanpH", filter])
        return "; sockets on its ports now: \(shown?.standardOutput ?? "ss failed")"
    }

    /// The exit status once the process has ended (128 + signal for a signal), nil while it runs.
    var exitStatus: Int32? {
        self.exit.withLock { exit in
            if exit == nil { exit = ProcessExit.poll(self.process) }
            return exit
        }
    }

    var isRunning: Bool { self.exitStatus == nil }

    /// Sends SIGTERM and waits for the exit status.
    func terminate() async throws -> Int32 {
        guard self.markStopped() else { return self.exitStatus ?? -1 }
        self.process.terminate()
        return try await offload { self.waitForExit() }
    }

    /// Sends SIGTERM and waits at most `timeout` for the exit status.
    func terminate(within timeout: Duration) async throws -> Int32 {
        guard self.markStopped() else { return self.exitStatus ?? -1 }
        self.process.terminate()
        return try await self.waitForExit(timeout: timeout)
    }

    /// Pauses the member with SIGSTOP and waits until the kernel shows it stopped.
    func pause() async throws {
        try await self.signal(SIGSTOP, until: { $0 == "T" || $0 == "t" })
    }

    /// Resumes a paused member with SIGCONT and waits until it runs again.
    func resume() async throws {
        try await self.signal(SIGCONT, until: { $0 != "T" && $0 != "t" })
    }

    private func signal(_ signal: Int32, until state: (Character) -> Bool) async throws {
        let pid = self.process.processIdentifier
        guard Glibc.kill(pid, signal) == 0 else { throw MemberFailed(reason: "kill(\(signal)) failed: errno \(errno)", log: self.log) }
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            // The state is the field after the parenthesised command name in /proc/PID/stat.
            if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")"), let letter = stat[close...].dropFirst(2).first, state(letter)
            {
                return
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw MemberFailed(reason: "did not change state after signal \(signal)", log: self.log)
    }

    /// Waits until the process has ended by itself (at most `timeout`) and returns its status.
    func waitForExit(timeout: Duration) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while self.isRunning {
            guard ContinuousClock.now < deadline else { throw MemberFailed(reason: "still running after \(timeout)", log: self.log) }
            try await Task.sleep(for: .milliseconds(50))
        }
        return self.exitStatus ?? -1
    }

    /// Kills the process with SIGKILL, as a crash would.
    func kill() {
        guard self.markStopped() else { return }
        if self.isRunning {
            Glibc.kill(self.process.processIdentifier, SIGKILL)
        }
        _ = self.waitForExit()
    }

    private func waitForExit() -> Int32 {
        if let status = self.exitStatus { return status }
        let status = ProcessExit.wait(for: self.process)
        self.exit.withLock { $0 = $0 ?? status }
        return status
    }

    /// Records that the process is being stopped; false if it already was.
    private func markStopped() -> Bool {
        self.stopped.withLock { stopped in
            defer { stopped = true }
            return !stopped
        }
    }

    struct MemberFailed: Error, CustomStringConvertible {
        let reason: String
        let log: String
        var description: String { "etcd member \(reason); its log:\n\(log)" }
    }
}
