import Foundation
import Glibc
import ProcessTestSupport
import Synchronization

/// A program left running while a test works (a watching `etcdctl`), its output collected in temporary
/// files the test reads as it goes. Stopped with SIGTERM, or SIGKILL when released.
final class BackgroundProgram: Sendable {
    private let process = Process()
    private let outputURL: URL
    private let errorURL: URL
    private let stopped = Mutex(false)
    private let exit = Mutex<Int32?>(nil)

    init(_ executable: URL, _ arguments: [String], environment: [String: String]) throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("etcd-swift-program-\(UUID().uuidString)")
        self.outputURL = base.appendingPathExtension("out")
        self.errorURL = base.appendingPathExtension("err")
        _ = FileManager.default.createFile(atPath: self.outputURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: self.errorURL.path, contents: nil)
        self.process.executableURL = executable
        self.process.arguments = arguments
        self.process.environment = environment
        self.process.standardOutput = try FileHandle(forWritingTo: self.outputURL)
        self.process.standardError = try FileHandle(forWritingTo: self.errorURL)
        try self.process.run()
    }

    deinit {
        self.stop(signal: SIGKILL)
        try? FileManager.default.removeItem(at: self.outputURL)
        try? FileManager.default.removeItem(at: self.errorURL)
    }

    /// What the program printed on standard output so far.
    var output: String { (try? String(contentsOf: self.outputURL, encoding: .utf8)) ?? "" }
    /// What it printed on standard error so far.
    var errors: String { (try? String(contentsOf: self.errorURL, encoding: .utf8)) ?? "" }

    var isRunning: Bool {
        self.exit.withLock { exit in
            if exit == nil { exit = ProcessExit.poll(self.process) }
            return exit == nil
        }
    }

    /// The exit status once the program has ended by itself, nil while it runs.
    var exitStatus: Int32? {
        self.isRunning ? nil : self.exit.withLock { $0 }
    }

    /// Waits until standard output contains `text`; false after `timeout`.
    func waitForOutput(containing text: String, timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if self.output.contains(text) { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return self.output.contains(text)
    }

    /// Sends `signal` to the program (SIGSTOP and SIGCONT pause and resume it).
    func send(_ signal: Int32) {
        kill(self.process.processIdentifier, signal)
    }

    /// Stops the program and waits for it.
    func stop(signal: Int32 = SIGTERM) {
        let alreadyStopped = self.stopped.withLock { stopped in
            defer { stopped = true }
            return stopped
        }
        guard !alreadyStopped else { return }
        guard self.isRunning else { return }
        kill(self.process.processIdentifier, signal)
        let status = ProcessExit.wait(for: self.process)
        self.exit.withLock { $0 = $0 ?? status }
    }
}
