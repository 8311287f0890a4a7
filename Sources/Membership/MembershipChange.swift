/// One change to the cluster's membership, as proposed through a Raft conf change.
public enum MembershipChange: Sendable, Hashable {
    /// A new member (voter or learner) with its peer URLs; its name and client URLs come when it starts.
    case add(Member)
    /// The learner becomes a voter.
    case promote(id: UInt64)
    case remove(id: UInt64)
    /// New peer URLs for an existing member.
    case update(id: UInt64, peerURLs: [String])

    /// The member the change is about.
    public var memberID: UInt64 {
        switch self {
        case .add(let member): return member.id
        case .promote(let id), .remove(let id), .update(let id, _): return id
        }
    }
}
