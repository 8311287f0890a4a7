/// A member's identity in the Raft group. Zero means "nobody" (no leader, no vote).
public typealias NodeID = UInt64

extension NodeID {
    /// No member: the value of `vote` and `leader` when there is none.
    public static let none: NodeID = 0
}
