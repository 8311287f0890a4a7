extension Status {
    /// The status in the JSON etcd's raft library writes for it (etcd publishes it as `raft.status` on
    /// `/debug/vars`): IDs in hex, the role and progress states by their Go names, the progress of every
    /// member while this one leads.
    public var json: String {
        let basic = self.basic
        var text = #"{"id":"\#(hex(basic.id))","term":\#(basic.hardState.term),"vote":"\#(hex(basic.hardState.vote))","#
        text += #""commit":\#(basic.hardState.commit),"lead":"\#(hex(basic.softState.leader))","#
        text += #""raftState":"\#(basic.softState.role.goName)","applied":\#(basic.applied),"progress":{"#
        text += self.progress.keys.sorted().map { id in
            let progress = self.progress[id]!
            return #""\#(hex(id))":{"match":\#(progress.match),"next":\#(progress.next),"state":"\#(progress.state.goName)"}"#
        }.joined(separator: ",")
        text += #"},"leadtransferee":"\#(hex(basic.leadTransferee))"}"#
        return text
    }
}

private func hex(_ id: NodeID) -> String {
    String(id, radix: 16)
}

extension RaftRole {
    /// The name etcd's raft gives the role (`StateLeader`, ...).
    var goName: String {
        switch self {
        case .follower: "StateFollower"
        case .preCandidate: "StatePreCandidate"
        case .candidate: "StateCandidate"
        case .leader: "StateLeader"
        }
    }
}

extension ProgressState {
    /// The name etcd's raft gives the state (`StateReplicate`, ...).
    var goName: String {
        switch self {
        case .probe: "StateProbe"
        case .replicate: "StateReplicate"
        case .snapshot: "StateSnapshot"
        }
    }
}
