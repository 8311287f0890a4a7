import Foundation
import Synchronization

/// Concurrent writers that put unique keys through a cluster until stopped, moving to another member when
/// one fails, and remember every put the cluster acknowledged: the writes that must never be lost.
final class LoadWriter: Sendable {
    static let prefix = "load/"

    private let clients: EndpointClients
    private let keyPrefix: String
    private let ports: Mutex<[Int]>
    private let acknowledged = Mutex<[String: String]>([:])
    private let stopping = Atomic<Bool>(false)
    private let task: Mutex<Task<Void, Never>?> = Mutex(nil)

    /// Writers over the members at `ports`, with keys under `prefix` (which must start with ``prefix``);
    /// start them with ``start(writers:)``.
    init(clients: EndpointClients, ports: [Int], prefix: String = LoadWriter.prefix) {
        self.clients = clients
        self.keyPrefix = prefix
        self.ports = Mutex(ports)
    }

    /// Changes the members writers may use (e.g. after one was removed).
    func use(ports: [Int]) {
        self.ports.withLock { $0 = ports }
    }

    /// Starts `writers` concurrent writers.
    func start(writers: Int) {
        let task = Task {
            await withTaskGroup(of: Void.self) { group in
                for writer in 0..<writers {
                    group.addTask { await self.write(as: writer) }
                }
            }
        }
        self.task.withLock { $0 = task }
    }

    /// Stops the writers and waits for them.
    func stop() async {
        self.stopping.store(true, ordering: .relaxed)
        await self.task.withLock { $0 }?.value
    }

    /// How many puts were acknowledged so far.
    var count: Int { self.acknowledged.withLock { $0.count } }

    /// The acknowledged puts.
    var writes: [String: String] { self.acknowledged.withLock { $0 } }

    /// Waits until `more` further puts were acknowledged.
    func waitFor(more: Int, timeout: Duration = .seconds(60)) async throws {
        let target = self.count + more
        let deadline = ContinuousClock.now + timeout
        while self.count < target {
            guard ContinuousClock.now < deadline else { throw Stalled(acknowledged: self.count, target: target) }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    private func write(as writer: Int) async {
        var sequence = 0
        var choice = writer
        while !self.stopping.load(ordering: .relaxed) {
            let ports = self.ports.withLock { $0 }
            let port = ports[choice % ports.count]
            let key = "\(self.keyPrefix)\(writer)/\(String(format: "%08d", sequence))"
            let value = "value-\(writer)-\(sequence)"
            do {
                try await self.clients.put(key, value, port: port)
                self.acknowledged.withLock { $0[key] = value }
                sequence += 1
            } catch {
                choice += 1
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    struct Stalled: Error, CustomStringConvertible {
        let acknowledged: Int
        let target: Int
        var description: String { "the cluster acknowledged only \(acknowledged) puts, waiting for \(target)" }
    }
}
