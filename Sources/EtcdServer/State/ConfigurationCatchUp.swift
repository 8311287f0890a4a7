import Membership
import Raft

/// Brings Raft's configuration up to the membership a backend holds. A follower that installs a leader's
/// snapshot at Raft index S gets a database taken later, at its consistent index C ≥ S; the membership
/// changes in (S, C] are in that database but would never reach Raft, since entries up to C are not
/// applied again. etcd applies such changes to Raft regardless of its consistent index; this member
/// reaches the same configuration by applying the difference at once.
@_spi(Testing) public enum ConfigurationCatchUp {
    /// The single-member changes that turn `current` into `membership`'s voters and learners: additions
    /// first (a promotion is adding a learner as a voter), removals last, so that the configuration never
    /// loses all its voters on the way.
    public static func changes(from current: ConfState, to membership: ClusterMembership) -> [ConfChange] {
        let voters = Set(membership.voterIDs)
        let learners = Set(membership.learnerIDs)
        let currentVoters = Set(current.voters)
        let currentLearners = Set(current.learners)
        var changes: [ConfChange] = []
        for id in voters.subtracting(currentVoters).sorted() {
            changes.append(ConfChange(kind: .addVoter, nodeID: id))
        }
        for id in learners.subtracting(currentLearners).sorted() {
            changes.append(ConfChange(kind: .addLearner, nodeID: id))
        }
        for id in currentVoters.union(currentLearners).subtracting(voters.union(learners)).sorted() {
            changes.append(ConfChange(kind: .remove, nodeID: id))
        }
        return changes
    }
}
