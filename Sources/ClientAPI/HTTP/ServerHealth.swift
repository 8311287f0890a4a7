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
        if !serializable && !self.server.hasLeader {
            return HealthStatus(healthy: false, reason: "RAFT NO LEADER")
        }
        var probe = Etcdserverpb_RangeRequest()
        probe.key = Data("health".utf8)
        probe.keysOnly = true
        probe.limit = 1
        probe.serializable = serializable
        do {
            _ = try await self.server.range(probe)
            return .healthy
        } catch {
            return HealthStatus(healthy: false, reason: "RANGE ERROR:\(error)")
        }
    }
}
