/// Who is in the group: sorted voters and sorted learners, disjoint.
struct Membership: Equatable {
    private(set) var voters: [NodeID]
    private(set) var learners: [NodeID]

    init(_ state: ConfState) {
        self.voters = Array(Set(state.voters)).sorted()
        self.learners = Array(Set(state.learners).subtracting(state.voters)).sorted()
    }

    var confState: ConfState { ConfState(voters: self.voters, learners: self.learners) }

    /// The votes or acknowledgements that make a majority of voters.
    var quorum: Int { self.voters.count / 2 + 1 }

    func isVoter(_ id: NodeID) -> Bool { self.voters.contains(id) }

    func isLearner(_ id: NodeID) -> Bool { self.learners.contains(id) }

    func contains(_ id: NodeID) -> Bool { self.isVoter(id) || self.isLearner(id) }

    /// The configuration after `change`, whose kinds follow etcd's single-change semantics: adding an existing voter
    /// or removing an absent member changes nothing; adding a learner as voter promotes it; adding a voter as
    /// learner demotes it.
    func applying(_ change: ConfChange) -> Membership {
        var next = self
        let id = change.nodeID
        switch change.kind {
        case .addVoter:
            next.learners.removeAll { $0 == id }
            if !next.voters.contains(id) { next.voters.insertSorted(id) }
        case .addLearner:
            next.voters.removeAll { $0 == id }
            if !next.learners.contains(id) { next.learners.insertSorted(id) }
        case .remove:
            next.voters.removeAll { $0 == id }
            next.learners.removeAll { $0 == id }
        case .update:
            break
        }
        return next
    }
}

extension Array where Element == NodeID {
    fileprivate mutating func insertSorted(_ id: NodeID) {
        let position = self.firstIndex { $0 > id } ?? self.count
        self.insert(id, at: position)
    }
}
