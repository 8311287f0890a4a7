/// The kinds of fault a run injects, each held for a while and then healed.
public enum Fault: String, CaseIterable, Sendable {
    /// SIGKILL a follower, start it again.
    case killFollower
    /// SIGKILL the leader, start it again.
    case killLeader
    /// SIGSTOP the leader, SIGCONT.
    case pauseLeader
    /// SIGSTOP a follower, SIGCONT.
    case pauseFollower
    /// SIGSTOP every member but one (a majority), SIGCONT.
    case pauseMajority
    /// The leader alone on one side of a partition, both ways.
    case isolateLeader
    /// A minority without the leader cut off from the majority with it.
    case splitMinority
    /// Two sides that cannot see each other, and one member that sees both.
    case bridge
    /// The leader stops receiving from every other member; what it sends still arrives.
    case oneWayDrop
    /// Every member loses a fifth of the packets it sends to the others.
    case packetLoss
    /// Every member's packets to the others arrive 100 ms late, give or take 50 ms.
    case delay
    /// The leader's packets to the others arrive 1.2 s late, give or take 200 ms: longer than the election
    /// timeout, so the followers may elect another leader while the old one's messages are still on the way.
    case slowLeader
    /// A compaction at the current revision, in the middle of the work (watches behind it are cancelled).
    case compaction
    /// A member defragments its backend while serving.
    case defragmentation
    /// A follower's disk fills up (its tmpfs), then gets its space back; restarted if it stopped.
    case diskFull
    /// A follower is removed from the cluster, wiped, added back as a new member and started.
    case membershipChange
}

/// One fault as injected: its kind, the members it touched, and when it started and was healed
/// (nanoseconds on the run's clock).
public struct FaultEvent: Sendable, CustomStringConvertible {
    public var fault: Fault
    public var members: [Int]
    public var start: UInt64
    public var healed: UInt64

    public var description: String {
        "\(self.fault.rawValue) on \(self.members.map { "m\($0)" }.joined(separator: ",")) from \(Double(self.start) / 1e9) s to \(Double(self.healed) / 1e9) s"
    }
}
