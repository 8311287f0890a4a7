import Foundation
import ProcessTestSupport
import Testing
import Synchronization

/// A cluster of `etcd` member processes on loopback, with data directories that outlive a member's
/// process so that members can be killed and restarted. Removed (processes and data) with the value.
final class TestCluster: Sendable {
    /// Where one member lives: its name, ports and data directory.
    struct Seat: Sendable {
        let name: String
        let clientPort: Int
        let peerPort: Int
        let dataDirectory: String

        var clientURL: String { "http://127.0.0.1:\(self.clientPort)" }
        var peerURL: String { "http://127.0.0.1:\(self.peerPort)" }
        var endpoint: String { "127.0.0.1:\(self.clientPort)" }
    }

    let token = "test-\(UUID().uuidString.prefix(8))"
    let root: String
    let extraArguments: [String]
    private let state: Mutex<(seats: [Seat], processes: [String: MemberProcess])>

    /// Seats for `size` members named m1...; nothing starts until ``start(_:state:environment:)``.
    init(size: Int, extraArguments: [String] = []) throws {
        self.root = FileManager.default.temporaryDirectory.appendingPathComponent("etcd-swift-cluster-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: self.root, withIntermediateDirectories: true)
        self.extraArguments = extraArguments
        var seats: [Seat] = []
        for index in 1...size {
            seats.append(try Self.makeSeat(name: "m\(index)", root: self.root))
        }
        self.state = Mutex((seats, [:]))
    }

    deinit {
        for process in self.state.withLock({ Array($0.processes.values) }) {
            process.kill()
        }
        try? FileManager.default.removeItem(atPath: self.root)
    }

    private static func makeSeat(name: String, root: String) throws -> Seat {
        Seat(name: name, clientPort: try FreePort.next(), peerPort: try FreePort.next(), dataDirectory: "\(root)/\(name)")
    }

    var seats: [Seat] { self.state.withLock { $0.seats } }
    var endpoints: [String] { self.seats.map(\.endpoint) }

    func seat(_ name: String) -> Seat {
        self.seats.first { $0.name == name }!
    }

    func process(_ name: String) -> MemberProcess? {
        self.state.withLock { $0.processes[name] }
    }

    /// The `--initial-cluster` value listing every seat (or the given names).
    func initialCluster(_ names: [String]? = nil) -> String {
        self.seats.filter { names?.contains($0.name) ?? true }.map { "\($0.name)=\($0.peerURL)" }.joined(separator: ",")
    }

    /// The flags that start `name` in this cluster.
    func arguments(for name: String, state: String = "new", initialCluster: String? = nil) -> [String] {
        let seat = self.seat(name)
        return [
            "--name", seat.name, "--data-dir", seat.dataDirectory,
            "--listen-client-urls", seat.clientURL, "--advertise-client-urls", seat.clientURL,
            "--listen-peer-urls", seat.peerURL, "--initial-advertise-peer-urls", seat.peerURL,
            "--initial-cluster", initialCluster ?? self.initialCluster(), "--initial-cluster-token", self.token,
            "--initial-cluster-state", state,
        ] + self.extraArguments
    }

    /// Starts (or restarts) member `name` with its flags, or with `arguments`/`environment` instead;
    /// `executable` runs another build of the member (the crash tests' child).
    @discardableResult
    func start(
        _ name: String,
        state: String = "new",
        arguments: [String]? = nil,
        environment: [String: String] = [:],
        executable: URL = Binaries.etcd
    ) throws -> MemberProcess {
        let seat = self.seat(name)
        let process = try MemberProcess(
            arguments: arguments ?? self.arguments(for: name, state: state),
            environment: environment,
            clientPort: seat.clientPort,
            peerPort: seat.peerPort,
            executable: executable
        )
        self.state.withLock { $0.processes[name] = process }
        return process
    }

    /// Starts every seat's member.
    func startAll() throws {
        for seat in self.seats { try self.start(seat.name) }
    }

    /// Adds a seat (for MemberAdd) and returns it.
    func addSeat(_ name: String) throws -> Seat {
        let seat = try Self.makeSeat(name: name, root: self.root)
        self.state.withLock { $0.seats.append(seat) }
        return seat
    }

    /// Kills member `name` with SIGKILL; its data stays.
    func kill(_ name: String) {
        self.state.withLock { $0.processes.removeValue(forKey: name) }?.kill()
    }

    /// Forgets member `name`'s process once it has ended by itself (a crash point); its data stays.
    func reap(_ name: String) {
        self.state.withLock { $0.processes.removeValue(forKey: name) }?.kill()
    }

    /// Waits until every running member serves clients.
    func waitUntilServing(timeout: Duration = .seconds(30)) async throws {
        for process in self.state.withLock({ Array($0.processes.values) }) {
            try await process.waitUntilServing(timeout: timeout)
        }
    }

    /// Runs `body`; when it throws, records the error with the last lines of every running member's log
    /// (for failures seen only in full-suite runs), then rethrows it.
    func reportingLogs<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            let tails = self.state.withLock { state in
                state.processes.sorted { $0.key < $1.key }.map { name, process in
                    "--- \(name)\n" + process.log.split(separator: "\n").suffix(30).joined(separator: "\n")
                }
            }
            Issue.record("\(error)\n\(tails.joined(separator: "\n"))")
            throw error
        }
    }

    /// Every running member's log, for failure messages.
    var logs: String {
        self.state.withLock { state in
            state.processes.sorted { $0.key < $1.key }.map { "--- \($0.key)\n\($0.value.log)" }.joined(separator: "\n")
        }
    }
}
