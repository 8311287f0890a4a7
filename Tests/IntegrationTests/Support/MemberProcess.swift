import Foundation
import Glibc
import Synchronization

/// One `etcd` member process started by a test, with its log in a temporary file. Stopped (SIGKILL if
/// need be) when the test releases it.
final class MemberProcess: Sendable {
    let process = Process()
    let clientPort: Int
    let logURL: URL
    private let stopped = Mutex(false)

    /// Starts `etcd` with `arguments` and, unless given, client URLs on a free loopback port.
    init(arguments: [String] = [], environment: [String: String] = [:], clientPort: Int? = nil) throws {
        self.clientPort = try clientPort ?? FreePort.next()
        self.logURL = FileManager.default.temporaryDirectory
            .appendingPathComponent("etcd-swift-test-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: self.logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: self.logURL)
        var allArguments = arguments
        if !arguments.contains(where: { $0.contains("listen-client-urls") }) {
            let url = "http://127.0.0.1:\(self.clientPort)"
            allArguments += ["--listen-client-urls", url, "--advertise-client-urls", url]
        }
        self.process.executableURL = Binaries.etcd
        self.process.arguments = allArguments
        self.process.environment = ProcessInfo.processInfo.environment
            .filter { !$0.key.hasPrefix("ETCD_") && $0.key != "NOTIFY_SOCKET" }
            .merging(environment) { _, new in new }
        self.process.standardOutput = log
        self.process.standardError = log
        try self.process.run()
    }

    deinit {
        self.kill()
    }

    /// What the member has logged so far.
    var log: String {
        (try? String(contentsOf: self.logURL, encoding: .utf8)) ?? ""
    }

    /// Waits until the client port answers `GET /version`.
    func waitUntilServing(timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard self.process.isRunning else {
                throw MemberFailed(reason: "exited with status \(self.process.terminationStatus)", log: self.log)
            }
            if let response = try? await RawHTTP.get(port: self.clientPort, "/version"), response.status == 200 {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw MemberFailed(reason: "not serving after \(timeout)", log: self.log)
    }

    /// Sends SIGTERM and waits for the exit status.
    func terminate() async throws -> Int32 {
        guard self.markStopped() else { return self.process.terminationStatus }
        self.process.terminate()
        let process = self.process
        return try await offload {
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    /// Kills the process with SIGKILL, as a crash would.
    func kill() {
        guard self.markStopped() else { return }
        if self.process.isRunning {
            Glibc.kill(self.process.processIdentifier, SIGKILL)
        }
        self.process.waitUntilExit()
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
