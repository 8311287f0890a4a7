import EtcdClient
import EtcdProto

/// The cluster as a replacement step sees it: the member list, which members answer healthy (and why the
/// others do not), and the leader their statuses name.
struct ClusterView {
    var members: [Etcdserverpb_Member]
    var healthyIDs: Set<UInt64>
    var problems: [UInt64: String]
    var leaderID: UInt64

    /// Lists the members through `endpoints` and probes each member that has a client URL.
    static func observe(settings: ClientSettings, endpoints: [String]) async throws(OpsError) -> ClusterView {
        let client = try settings.client(endpoints: endpoints)
        defer { Task { await client.close() } }
        let members: [Etcdserverpb_Member]
        do {
            members = try await client.memberList().members
        } catch {
            throw OpsError(.unreachable, "cannot list the cluster's members through \(endpoints.joined(separator: ",")): \(error.message)")
        }
        let probed = members.filter { !$0.clientUrls.isEmpty }
        let probes = await MemberProbe.probeAll(probed.map { $0.clientUrls[0] }, settings: settings, readsQuota: false)
        var view = ClusterView(members: members, healthyIDs: [], problems: [:], leaderID: 0)
        var leaderVotes: [UInt64: Int] = [:]
        for (member, probe) in zip(probed, probes) {
            if probe.healthy, probe.status?.header.memberID == member.id {
                view.healthyIDs.insert(member.id)
            } else {
                view.problems[member.id] = probe.problem ?? "unhealthy"
            }
            if let leader = probe.status?.leader, leader != 0 {
                leaderVotes[leader, default: 0] += 1
            }
        }
        for member in members where member.clientUrls.isEmpty {
            view.problems[member.id] = "not started"
        }
        view.leaderID = leaderVotes.max { $0.value < $1.value }?.key ?? 0
        return view
    }
}
