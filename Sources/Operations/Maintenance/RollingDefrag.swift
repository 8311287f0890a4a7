import EtcdClient
import EtcdProto
import Foundation

/// etcd-ops defrag --rolling: every member defragmented in turn, followers first and the leader last, the
/// cluster's health checked before the first and after each; members with less free space than asked are
/// skipped. With `disarmNoSpace`, a NOSPACE alarm is disarmed at the end once every member is under its quota.
public enum RollingDefrag {
    /// What to do.
    public struct Options: Sendable {
        /// Skip a member whose free fraction of its database (not in use) is below this (0 defragments all).
        public var minimumFreeFraction: Double = 0
        public var disarmNoSpace = false
        /// How long a member may take to be healthy again after its defragmentation.
        public var healthTimeout: Duration = .seconds(60)
        /// How long one defragmentation may take.
        public var defragmentTimeout: Duration = .seconds(600)

        public init() {}
    }

    /// Runs the rolling defragmentation of the cluster behind `settings`, telling `report` each step as a line.
    public static func run(settings: ClientSettings, options: Options, report: (String) -> Void) async throws(OpsError) {
        let status = try await ClusterStatus.gather(settings: settings, cluster: true)
        for probe in status.probes where !Self.healthyButForNoSpace(probe) {
            throw OpsError(.failed, "\(probe.endpoint) is unhealthy (\(probe.problem ?? "not healthy")); not defragmenting")
        }
        let order = status.probes.sorted { first, second in
            !Self.isLeader(first) && Self.isLeader(second)
        }
        for probe in order {
            guard let before = probe.status else { continue }
            let name = status.names[before.header.memberID].map { "\($0) (\(probe.endpoint))" } ?? probe.endpoint
            let free = before.dbSize > 0 ? Double(before.dbSize - before.dbSizeInUse) / Double(before.dbSize) : 0
            if free < options.minimumFreeFraction {
                report("Skipped \(name): \(Self.percent(free)) free, under --min-free \(Self.percent(options.minimumFreeFraction))")
                continue
            }
            let client = try settings.client(endpoints: [probe.endpoint], timed: false)
            defer { Task { await client.close() } }
            do {
                _ = try await client.defragment(timeout: options.defragmentTimeout)
            } catch {
                throw OpsError(.failed, "defragmenting \(name) failed: \(error.message)")
            }
            let after = try await Self.waitUntilHealthy(probe.endpoint, settings: settings, timeout: options.healthTimeout)
            let size = after.status.map { "\($0.dbSize)" } ?? "?"
            report("Defragmented \(name)\(Self.isLeader(probe) ? " (leader)" : ""): \(before.dbSize) -> \(size) bytes")
        }
        if options.disarmNoSpace { try await Self.disarmNoSpace(settings: settings, report: report) }
    }

    private static func isLeader(_ probe: MemberProbe) -> Bool {
        probe.status.map { $0.leader == $0.header.memberID } ?? false
    }

    /// Healthy, or unhealthy only because of a NOSPACE alarm (which is what a defragmentation may cure).
    private static func healthyButForNoSpace(_ probe: MemberProbe) -> Bool {
        guard let status = probe.status else { return false }
        if probe.healthy { return true }
        let onlyNoSpace = !probe.alarms.isEmpty && probe.alarms.allSatisfy { $0 == "NOSPACE" }
        return onlyNoSpace && status.errors.allSatisfy { $0.contains("NOSPACE") }
    }

    private static func waitUntilHealthy(_ endpoint: String, settings: ClientSettings, timeout: Duration) async throws(OpsError) -> MemberProbe {
        let deadline = ContinuousClock.now + timeout
        while true {
            let probe = await MemberProbe.probe(endpoint, settings: settings)
            if Self.healthyButForNoSpace(probe) { return probe }
            guard ContinuousClock.now < deadline else {
                throw OpsError(.failed, "\(endpoint) is not healthy \(timeout) after its defragmentation: \(probe.problem ?? "unknown")")
            }
            do {
                try await Task.sleep(for: .milliseconds(500))
            } catch {
                throw OpsError(.failed, "interrupted while waiting for \(endpoint)")
            }
        }
    }

    /// Disarms every NOSPACE alarm once each member's database is under its quota.
    private static func disarmNoSpace(settings: ClientSettings, report: (String) -> Void) async throws(OpsError) {
        let status = try await ClusterStatus.gather(settings: settings, cluster: true)
        guard status.probes.contains(where: { $0.alarms.contains("NOSPACE") }) else { return }
        for probe in status.probes {
            guard let size = probe.status?.dbSize, let quota = probe.quotaBytes else {
                throw OpsError(.failed, "cannot tell whether \(probe.endpoint) is under its quota; NOSPACE left armed")
            }
            if size >= quota {
                report("NOSPACE left armed: \(probe.endpoint) holds \(size) bytes, its quota is \(quota)")
                return
            }
        }
        let client = try settings.client()
        defer { Task { await client.close() } }
        do {
            let alarms = try await client.alarms().alarms.filter { $0.alarm == .nospace }
            for alarm in alarms { _ = try await client.disarm(.nospace, memberID: alarm.memberID) }
        } catch {
            throw OpsError(.failed, "disarming NOSPACE failed: \(error.message)")
        }
        report("Disarmed NOSPACE: every member is under its quota")
    }

    private static func percent(_ fraction: Double) -> String {
        String(format: "%.1f%%", fraction * 100)
    }
}
