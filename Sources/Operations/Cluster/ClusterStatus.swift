import EtcdClient
import EtcdProto
import Foundation
import GoFormat

/// One table for the whole cluster, a row per member endpoint: identity, version, database size and how
/// much of it is in use, quota use, role, Raft progress and how far each member lags behind the leader,
/// alarms and errors, health and the health read's latency. ``isHealthy`` is false when any member is not.
public struct ClusterStatus: Sendable {
    public let probes: [MemberProbe]
    /// Member names by id, from the member list.
    public let names: [UInt64: String]

    public init(probes: [MemberProbe], names: [UInt64: String]) {
        self.probes = probes
        self.names = names
    }

    /// Probes `endpoints` (with `cluster`, every member's client URLs from the member list instead).
    public static func gather(settings: ClientSettings, cluster: Bool) async throws(OpsError) -> ClusterStatus {
        var endpoints = settings.endpoints
        var names: [UInt64: String] = [:]
        let client = try settings.client()
        defer { Task { await client.close() } }
        do {
            let members = try await client.memberList().members
            for member in members { names[member.id] = member.name }
            if cluster { endpoints = members.flatMap(\.clientUrls) }
        } catch {
            if cluster { throw OpsError(.unreachable, "cannot list the cluster's members: \(error.message)") }
        }
        return ClusterStatus(probes: await MemberProbe.probeAll(endpoints, settings: settings), names: names)
    }

    public var isHealthy: Bool { !self.probes.isEmpty && self.probes.allSatisfy(\.healthy) }

    static let header = [
        "ENDPOINT", "ID", "NAME", "VERSION", "DB SIZE", "IN USE", "QUOTA USE", "LEADER", "LEARNER", "RAFT TERM",
        "RAFT INDEX", "APPLIED INDEX", "LAG", "ALARMS/ERRORS", "HEALTH", "LATENCY",
    ]

    /// The rows of the table, as strings.
    public var rows: [[String]] {
        let leaderIndex = self.probes.compactMap(\.status).first { $0.leader == $0.header.memberID }?.raftIndex
        return self.probes.map { probe in
            guard let status = probe.status else {
                return [probe.endpoint, "", "", "", "", "", "", "", "", "", "", "", "", probe.problem ?? "", "unreachable", ""]
            }
            let inUse = status.dbSize > 0 ? "\(HumanBytes.string(status.dbSizeInUse)) (\(Self.percent(status.dbSizeInUse, of: status.dbSize)))" : ""
            let quota = probe.quotaBytes.map { Self.percent(status.dbSize, of: $0) } ?? ""
            let lag = leaderIndex.map { $0 >= status.raftAppliedIndex ? "\($0 - status.raftAppliedIndex)" : "0" } ?? ""
            let problems = (status.errors + (probe.problem.map { [$0] } ?? [])).joined(separator: "; ")
            return [
                probe.endpoint, String(status.header.memberID, radix: 16), self.names[status.header.memberID] ?? "", status.version,
                HumanBytes.string(status.dbSize), inUse, quota, "\(status.leader == status.header.memberID)", "\(status.isLearner)",
                "\(status.raftTerm)", "\(status.raftIndex)", "\(status.raftAppliedIndex)", lag, problems,
                probe.healthy ? "healthy" : "unhealthy", probe.latency?.goString ?? "",
            ]
        }
    }

    /// The table as etcdctl draws its tables.
    public var table: String {
        TableWriter.render(header: Self.header, rows: self.rows)
    }

    /// The rows as a JSON array of objects keyed by the column names in lower snake case.
    public func json() throws -> String {
        let keys = Self.header.map { $0.lowercased().replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: " ", with: "_") }
        let objects = self.rows.map { row in Dictionary(uniqueKeysWithValues: zip(keys, row)) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(objects), as: UTF8.self) + "\n"
    }

    private static func percent(_ part: Int64, of whole: Int64) -> String {
        guard whole > 0 else { return "" }
        return String(format: "%.1f%%", Double(part) * 100 / Double(whole))
    }
}
