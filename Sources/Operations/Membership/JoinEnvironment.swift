import EtcdProto

/// The `ETCD_*` variables a new member starts with to join the cluster, as `etcdctl member add` prints
/// them: its name, the initial cluster as the member list now stands (every member's peer URLs, the new
/// one under its new name), its peer URL and the `existing` state; its client URL when one was given.
struct JoinEnvironment {
    let variables: [(name: String, value: String)]

    init(members: [Etcdserverpb_Member], newID: UInt64, request: ReplacementRequest) {
        let cluster = members.flatMap { member in
            member.peerUrls.map { "\(member.id == newID ? request.newName : member.name)=\($0)" }
        }
        var variables = [
            ("ETCD_NAME", request.newName),
            ("ETCD_INITIAL_CLUSTER", cluster.joined(separator: ",")),
            ("ETCD_INITIAL_ADVERTISE_PEER_URLS", request.newPeerURL),
            ("ETCD_INITIAL_CLUSTER_STATE", "existing"),
        ]
        if let client = request.newClientURL {
            variables.append(("ETCD_ADVERTISE_CLIENT_URLS", client))
        }
        self.variables = variables
    }

    /// Lines as etcdctl prints them, values in double quotes.
    var quotedLines: [String] {
        self.variables.map { "\($0.name)=\"\($0.value)\"" }
    }

    /// An environment file: `NAME=value` lines without quotes, which both systemd's `EnvironmentFile=` and
    /// docker's `--env-file` read as they are.
    var file: String {
        self.variables.map { "\($0.name)=\($0.value)\n" }.joined()
    }
}
