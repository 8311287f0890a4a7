/// Who is in the group: the voters, who elect leaders and form quorums, and the learners, who only
/// receive the log.
public struct ConfState: Sendable, Hashable {
    public var voters: [NodeID]
    public var learners: [NodeID]

    /// Creates a configuration; a member is never both a voter and a learner.
    public init(voters: [NodeID] = [], learners: [NodeID] = []) {
        self.voters = voters
        self.learners = learners
    }
}
