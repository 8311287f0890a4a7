import Foundation
import Synchronization

/// One client putting a new key every `interval` (10 ms by default) through the members at the current
/// ports, moving to the next member when a put fails: the acknowledged puts (which must never be lost)
/// and the longest time between two acknowledged puts (what an operation cost clients).
final class PacedWriter: Sendable {
    static let prefix = "paced/"

    private struct State {
        var clients: EndpointClients
        var ports: [Int]
        var acknowledged: [String: String] = [:]
        var lastSuccess: ContinuousClock.Instant?
        var longestGap: Duration = .zero
    }

    private let interval: Duration
    private let state: Mutex<State>
    private let stopping = Atomic<Bool>(false)
    private let task: Mutex<Task<Void, Never>?> = Mutex(nil)

    init(clients: EndpointClients, ports: [Int], interval: Duration = .milliseconds(10)) {
        self.interval = interval
        self.state = Mutex(State(clients: clients, ports: ports))
    }

    /// Changes the members the writer may use, and the clients it reaches them with (connections made
    /// before a member listened back off for a while, so a member that joined gets a new client).
    func use(clients: EndpointClients, ports: [Int]) {
        self.state.withLock { state in
            state.clients = clients
            state.ports = ports
        }
    }

    func start() {
        let task = Task { await self.run() }
        self.task.withLock { $0 = task }
    }

    /// Stops the writer and waits for it.
    func stop() async {
        self.stopping.store(true, ordering: .relaxed)
        await self.task.withLock { $0 }?.value
    }

    var writes: [String: String] { self.state.withLock { $0.acknowledged } }
    var longestGap: Duration { self.state.withLock { $0.longestGap } }

    private func run() async {
        var sequence = 0
        var choice = 0
        var next = ContinuousClock.now
        while !self.stopping.load(ordering: .relaxed) {
            let (clients, ports) = self.state.withLock { ($0.clients, $0.ports) }
            let key = "\(Self.prefix)\(String(format: "%08d", sequence))"
            let value = "v\(sequence)"
            do {
                try await clients.put(key, value, port: ports[choice % ports.count], timeout: .seconds(1))
                let now = ContinuousClock.now
                self.state.withLock { state in
                    state.acknowledged[key] = value
                    if let last = state.lastSuccess { state.longestGap = max(state.longestGap, now - last) }
                    state.lastSuccess = now
                }
                sequence += 1
            } catch {
                choice += 1
            }
            next += self.interval
            let now = ContinuousClock.now
            if next > now {
                try? await Task.sleep(until: next, clock: .continuous)
            } else {
                next = now
            }
        }
    }
}
