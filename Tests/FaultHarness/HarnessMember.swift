import Foundation
import Glibc
import ProcessTestSupport
import Synchronization

/// One member of a fault run: a real `etcd` process (ours or any v3 member taking etcd's flags) inside
/// its own network namespace, listening on its address on the run's bridge, its data on a tmpfs of its
/// own (so that its disk can be filled), its log in a file. It can be killed, paused and resumed, started
/// again on the same data directory, or wiped and started as a new member of the existing cluster.
public final class HarnessMember: Sendable {
    public let index: Int
    public let name: String
    public let address: String
    /// The tmpfs mount the data directory is in.
    public let disk: String
    public let dataDirectory: String
    public let logPath: String
    private let launch: @Sendable (_ state: String) -> [String]
    private let process = Mutex<Process?>(nil)

    public var clientURL: String { "http://\(self.address):2379" }
    public var peerURL: String { "http://\(self.address):2380" }

    /// A member of the cluster `initialCluster` lists (every member's `name=peerURL`); `command` turns the
    /// member's command line into the one that runs it in its namespace.
    init(index: Int, address: String, root: String, initialCluster: String, token: String, executable: String,
         command: @escaping @Sendable ([String]) -> [String]) {
        self.index = index
        self.name = "m\(index)"
        self.address = address
        self.disk = "\(root)/\(self.name).disk"
        self.dataDirectory = "\(self.disk)/data"
        self.logPath = "\(root)/\(self.name).log"
        let (name, clientURL, peerURL, dataDirectory) = (self.name, "http://\(address):2379", "http://\(address):2380", self.dataDirectory)
        self.launch = { state in
            command([
                executable, "--name", name, "--data-dir", dataDirectory,
                "--listen-client-urls", clientURL, "--advertise-client-urls", clientURL,
                "--listen-peer-urls", peerURL, "--initial-advertise-peer-urls", peerURL,
                "--initial-cluster", initialCluster, "--initial-cluster-token", token, "--initial-cluster-state", state,
            ])
        }
    }

    deinit {
        self.kill()
    }

    /// Whether the member's process is there (running or paused).
    public var isRunning: Bool {
        self.process.withLock { process in process.map { ProcessExit.poll($0) == nil } ?? false }
    }

    /// Starts the process: with a data directory it restarts; without one it founds the cluster with the
    /// others, or (`joining`) joins the existing cluster that has just added it.
    public func start(joining: Bool = false) throws {
        try self.process.withLock { current in
            if let current, ProcessExit.poll(current) == nil { return }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = self.launch(joining ? "existing" : "new")
            process.environment = ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "SWIFT_BACKTRACE": "symbolicate=off"]
            if !FileManager.default.fileExists(atPath: self.logPath) {
                _ = FileManager.default.createFile(atPath: self.logPath, contents: nil)
            }
            let log = try FileHandle(forWritingTo: URL(fileURLWithPath: self.logPath))
            try log.seekToEnd()
            process.standardOutput = log
            process.standardError = log
            try process.run()
            current = process
        }
    }

    /// SIGKILL, and waits for the process to be gone.
    public func kill() {
        guard let process = self.process.withLock({ $0 }) else { return }
        Glibc.kill(process.processIdentifier, SIGCONT)
        Glibc.kill(process.processIdentifier, SIGKILL)
        _ = ProcessExit.wait(for: process)
    }

    /// SIGSTOP: the member neither answers nor sends until ``resume()``.
    public func pause() {
        self.signal(SIGSTOP)
    }

    /// SIGCONT after ``pause()``.
    public func resume() {
        self.signal(SIGCONT)
    }

    private func signal(_ signal: Int32) {
        guard let process = self.process.withLock({ $0 }) else { return }
        Glibc.kill(process.processIdentifier, signal)
    }

    /// Removes the data directory (the member must be stopped): it starts again as a new member.
    public func wipe() throws {
        if FileManager.default.fileExists(atPath: self.dataDirectory) {
            try FileManager.default.removeItem(atPath: self.dataDirectory)
        }
    }

    /// The end of the member's log.
    public func logTail(_ bytes: Int = 2000) -> String {
        let text = (try? String(contentsOfFile: self.logPath, encoding: .utf8)) ?? ""
        return String(text.suffix(bytes))
    }
}
