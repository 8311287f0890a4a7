import EtcdClient
import Foundation
import HistoryCheck
import ProcessTestSupport
import Raft

/// One fault run: a cluster in namespaces, clients working on registers and leases through every member, a
/// watcher on every member, faults injected one after another from a seed, then everything healed, final reads of
/// every key, and the checks over the whole history.
public struct FaultRun: Sendable {
    /// The settings a run is replayed from.
    public struct Settings: Sendable {
        public var seed: UInt64
        public var members = 3
        public var clients = 6
        /// The faults in order; nil: every kind once, in an order the seed picks.
        public var faults: [Fault]?
        public var hold: Duration = .seconds(3)
        /// Quiet time between a healed fault and the next one.
        public var settle: Duration = .milliseconds(500)
        public var workload = RegisterWorkload()
        /// Clients granting, revoking, abandoning and keeping alive leases with keys.
        public var leaseClients = 2
        /// The member program (ours unless `FAULT_ETCD` names another).
        public var executable = HarnessCluster.defaultExecutable

        public init(seed: UInt64) {
            self.seed = seed
        }

        /// `count` faults of kinds drawn from `seed`, for long runs.
        public static func randomSchedule(seed: UInt64, count: Int) -> [Fault] {
            var random = SplitMix64(seed: seed ^ 0x5C4ED)
            return (0..<count).map { _ in Fault.allCases[random.below(Fault.allCases.count)] }
        }

        /// The faults this run injects.
        public var schedule: [Fault] {
            if let faults { return faults }
            var random = SplitMix64(seed: self.seed)
            return Fault.allCases.shuffled(using: &random)
        }
    }

    public let settings: Settings

    public init(settings: Settings) {
        self.settings = settings
    }

    /// Runs the scenario and checks it. Throws only when the run itself could not go on (a cluster that
    /// never became healthy, a command that failed); broken promises are in the report.
    public func run() async throws -> FaultReport {
        let cluster = try HarnessCluster(size: self.settings.members, prefix: "f\(UInt16.random(in: 0...9999))", executable: self.settings.executable)
        do {
            let report = try await self.run(on: cluster)
            await cluster.remove()
            return report
        } catch {
            let logs = cluster.logTails()
            await cluster.remove()
            throw HarnessError("\(error)\nseed \(self.settings.seed)\n\(logs)")
        }
    }

    private func run(on cluster: HarnessCluster) async throws -> FaultReport {
        let started = ContinuousClock.now
        try await offload { try cluster.startAll() }
        try await cluster.waitUntilHealthy()
        let recorder = HistoryRecorder()
        let stop = StopFlag()
        // Clients stop on every way out, so that none outlives a run that could not go on.
        defer { stop.set() }
        let watchers = cluster.members.map { WatchRecorder(name: "watch@\($0.name)", prefix: "reg/") }
        let endpoints = try cluster.members.map { try Endpoint(parsing: $0.clientURL) }
        var clients: [EtcdClient] = []
        for index in 0..<max(self.settings.clients, cluster.members.count) {
            // Each client prefers another member first; all fail over to the rest.
            let rotated = Array(endpoints[(index % endpoints.count)...] + endpoints[..<(index % endpoints.count)])
            var configuration = ClientConfiguration(endpoints: rotated)
            configuration.dialTimeout = .milliseconds(500)
            clients.append(try EtcdClient(configuration: configuration))
        }
        var faults: [FaultEvent] = []
        var leaseAnomalies: [Anomaly] = []
        var workEnded: UInt64 = 0
        let leases = LeaseWorkload()
        do {
            try await self.work(cluster: cluster, clients: clients, endpoints: endpoints, watchers: watchers, recorder: recorder, stop: stop,
                                leases: leases, faults: &faults, leaseAnomalies: &leaseAnomalies, workEnded: &workEnded)
        } catch {
            for client in clients { await client.close() }
            throw error
        }
        for client in clients { await client.close() }
        let elapsed = ContinuousClock.now - started
        return FaultReport(
            seed: self.settings.seed, members: cluster.members.count, history: recorder.history,
            watches: watchers.flatMap(\.watchLogs), faults: faults, leases: leases.count, leaseAnomalies: leaseAnomalies, workEnded: workEnded,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        )
    }

    /// The run proper: watchers, clients and faults, then the final reads, the lease checks, and the
    /// watchers catching up with the last register write.
    private func work(cluster: HarnessCluster, clients: [EtcdClient], endpoints: [Endpoint], watchers: [WatchRecorder],
                      recorder: HistoryRecorder, stop: StopFlag, leases: LeaseWorkload, faults: inout [FaultEvent],
                      leaseAnomalies: inout [Anomaly], workEnded: inout UInt64) async throws {
        let workload = self.settings.workload
        let seed = self.settings.seed
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, watcher) in watchers.enumerated() {
                let client = try clients[index].single(endpoints[index])
                group.addTask {
                    await watcher.run(client: client, from: 1)
                    await client.close()
                }
            }
            var workers: [Task<Void, Never>] = []
            for (index, client) in clients.prefix(self.settings.clients).enumerated() {
                workers.append(Task {
                    await workload.run(client: index, etcd: client, seed: seed &+ UInt64(index) &* 7919, recorder: recorder, stop: stop)
                })
            }
            for index in 0..<self.settings.leaseClients {
                let client = clients[index % clients.count]
                workers.append(Task {
                    await leases.run(client: index, etcd: client, seed: seed &+ 0x1EA5E &+ UInt64(index), recorder: recorder, stop: stop)
                })
            }
            let injector = FaultInjector(cluster: cluster, recorder: recorder, hold: self.settings.hold)
            var random = SplitMix64(seed: seed ^ 0xFA17)
            try await Task.sleep(for: .seconds(1))
            for fault in self.settings.schedule {
                do {
                    faults.append(try await injector.inject(fault, random: &random))
                } catch {
                    throw HarnessError("injecting fault \(faults.count + 1) (\(fault.rawValue)): \(error)")
                }
                try await cluster.waitUntilHealthy()
                try await Task.sleep(for: self.settings.settle)
            }
            workEnded = recorder.now()
            stop.set()
            for worker in workers { await worker.value }
            try await self.finalReads(client: clients[0], recorder: recorder)
            leaseAnomalies = try await leases.check(client: clients[0], recorder: recorder)
            // Every watcher should reach the last register write any client or watcher saw.
            let written = recorder.history.filter(RevisionChecks.putsSomething).compactMap { $0.output?.revision }.max() ?? 0
            let target = max(written, watchers.map(\.lastRevision).max() ?? 0)
            let deadline = ContinuousClock.now + .seconds(10)
            while watchers.contains(where: { $0.lastRevision < target }), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            group.cancelAll()
        }
    }

    /// A linearizable read of every key once the cluster is whole: the last word on what survived.
    private func finalReads(client: EtcdClient, recorder: HistoryRecorder) async throws {
        for key in self.settings.workload.keys {
            let call = recorder.now()
            let response = try await KVExecution.run(.get(key), on: client, timeout: .seconds(10))
            recorder.record(Operation(client: -1, input: .get(key), call: call, output: response, returned: recorder.now()))
        }
    }
}
