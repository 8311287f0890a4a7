import EtcdProto

/// The member a backup is taken from: of the endpoints, a healthy voting member without errors whose
/// store is at the highest revision (etcd-operator's rule), the first such endpoint on a tie.
enum BackupSource {
    static func choose(from probes: [MemberProbe]) throws(OpsError) -> (endpoint: String, status: Etcdserverpb_StatusResponse) {
        let candidates = probes.compactMap { probe -> (String, Etcdserverpb_StatusResponse)? in
            guard probe.healthy, let status = probe.status, !status.isLearner, status.errors.isEmpty else { return nil }
            return (probe.endpoint, status)
        }
        guard let best = candidates.max(by: { $0.1.header.revision < $1.1.header.revision }) else {
            let reasons = probes.map { "\($0.endpoint) (\($0.problem ?? ($0.status?.isLearner == true ? "a learner" : "not healthy")))" }
            let reachable = probes.contains { $0.status != nil }
            throw OpsError(
                reachable ? .failed : .unreachable,
                (reachable ? "no healthy member to back up from: " : "no endpoint could be reached: ") + reasons.joined(separator: ", ")
            )
        }
        // `max` keeps the last of equals; the first endpoint wins a tie.
        return candidates.first { $0.1.header.revision == best.1.header.revision }!
    }
}
