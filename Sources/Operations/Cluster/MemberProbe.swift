import EtcdClient
import EtcdProto
import Foundation

/// What one endpoint says about its member: its status, its alarms, whether it is healthy as `etcdctl
/// endpoint health` judges (a linearizable read succeeds and no alarm is raised) and how long that read
/// took, and the backend quota from its `/metrics`.
public struct MemberProbe: Sendable {
    public let endpoint: String
    public var status: Etcdserverpb_StatusResponse?
    public var alarms: [String] = []
    public var healthy = false
    /// Why the member is not healthy, or why it could not be asked at all.
    public var problem: String?
    public var latency: Duration?
    /// `etcd_server_quota_backend_bytes`, when `/metrics` could be read.
    public var quotaBytes: Int64?

    /// Asks `endpoint` (and its `/metrics` for the quota, with `readsQuota`); never throws: what failed is in
    /// ``problem``.
    public static func probe(_ endpoint: String, settings: ClientSettings, readsQuota: Bool = true) async -> MemberProbe {
        var probe = MemberProbe(endpoint: endpoint)
        let client: EtcdClient
        do {
            client = try settings.client(endpoints: [endpoint])
        } catch {
            probe.problem = error.message
            return probe
        }
        defer { Task { await client.close() } }
        do {
            probe.status = try await client.status()
        } catch {
            probe.problem = error.message
            return probe
        }
        let started = ContinuousClock.now
        do {
            _ = try await client.range(RangeRequests.key(Array("health".utf8)))
            probe.latency = ContinuousClock.now - started
            probe.healthy = true
        } catch where error.code == .permissionDenied {
            probe.latency = ContinuousClock.now - started
            probe.healthy = true
        } catch {
            probe.problem = "failed to commit proposal: \(error.message)"
        }
        do {
            probe.alarms = try await client.alarms().alarms.map(\.alarm.etcdName)
            if !probe.alarms.isEmpty {
                probe.healthy = false
                probe.problem = probe.problem ?? "Active Alarm(s): \(probe.alarms.joined(separator: " "))"
            }
        } catch {
            probe.healthy = false
            probe.problem = probe.problem ?? error.message
        }
        if readsQuota { probe.quotaBytes = Self.quota(endpoint, tls: settings.tls) }
        return probe
    }

    /// Asks every endpoint at once; in the endpoints' order.
    public static func probeAll(_ endpoints: [String], settings: ClientSettings, readsQuota: Bool = true) async -> [MemberProbe] {
        await withTaskGroup(of: (Int, MemberProbe).self) { group in
            for (index, endpoint) in endpoints.enumerated() {
                group.addTask { (index, await Self.probe(endpoint, settings: settings, readsQuota: readsQuota)) }
            }
            var probes: [(Int, MemberProbe)] = []
            for await probe in group { probes.append(probe) }
            return probes.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    private static func quota(_ endpoint: String, tls: ClientTLS?) -> Int64? {
        let name = "etcd_server_quota_backend_bytes "
        guard let body = try? MemberHTTP.get(endpoint: endpoint, path: "/metrics", tls: tls),
            let line = body.split(separator: "\n").first(where: { $0.hasPrefix(name) }),
            let value = Double(line.dropFirst(name.count).trimmingCharacters(in: .whitespaces))
        else { return nil }
        return Int64(value)
    }
}
