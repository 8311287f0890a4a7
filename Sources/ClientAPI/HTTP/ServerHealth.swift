import EtcdProto
import Foundation
import EtcdServer

/// `/health` as etcd answers it: unhealthy without a leader (unless `serializable`), and unless a read
/// through the member succeeds (linearizable, or local with `serializable`).
public struct ServerHealth: HealthChecker {
    private let server: EtcdServer

    /// Health of `server`.
    public init(server: EtcdServer) {
        self.server = server
    }

    public func checkHealth(excludedAlarms: Set<String>, serializable: Bool) async -> HealthStatus {
        if let alarm = self.server.alarms.first(where: { !excludedAlarms.contains($0.alarm.etcdName) }) {
            return HealthStatus(healthy: false, reason: "ALARM \(alarm.alarm.etcdName)")
        }
        if !serializable && !self.server.hasLeader {
            return HealthStatus(healthy: false, reason: "RAFT NO LEADER")
        }
        if let failure = await self.read(serializable: serializable) {
            return HealthStatus(healthy: false, reason: "RANGE ERROR:\(failure)")
        }
        return .healthy
    }

    /// `/livez`'s checks: the member can read locally.
    public var livenessChecks: [ProbeCheck] {
        [ProbeCheck(name: "serializable_read") { await self.read(serializable: true) }]
    }

    /// `/readyz`'s checks: no CORRUPT alarm is raised, local and linearizable reads work (the latter needs
    /// a quorum), and the member is not a learner.
    public var readinessChecks: [ProbeCheck] {
        [
            ProbeCheck(name: "data_corruption") {
                self.server.alarms.contains { $0.alarm == .corrupt } ? "alarm activated: CORRUPT" : nil
            },
            ProbeCheck(name: "serializable_read") { await self.read(serializable: true) },
            ProbeCheck(name: "linearizable_read") { await self.read(serializable: false) },
            ProbeCheck(name: "non_learner") {
                self.server.membership.learnerIDs.contains(self.server.memberID) ? "not supported for learner" : nil
            },
        ]
    }

    /// etcd's probe read: one key, keys only; nil when it succeeds, else the error's text.
    private func read(serializable: Bool) async -> String? {
        var probe = Etcdserverpb_RangeRequest()
        probe.key = Data("health".utf8)
        probe.keysOnly = true
        probe.limit = 1
        probe.serializable = serializable
        do {
            _ = try await self.server.range(probe)
            return nil
        } catch {
            return "\(error)"
        }
    }
}
