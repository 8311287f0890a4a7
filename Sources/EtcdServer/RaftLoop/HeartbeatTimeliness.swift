import Raft

/// etcd's check that a leader's heartbeats leave on time: a heartbeat to a peer that follows the previous
/// one by more than ``maximumGap``, twice the heartbeat interval, shows the leader's loop was held up, most
/// often by a slow disk. Raft loop only.
@_spi(Testing) public struct HeartbeatTimeliness {
    public let heartbeatInterval: Duration
    private var lastSent: [UInt64: ContinuousClock.Instant] = [:]

    public init(heartbeatInterval: Duration) {
        self.heartbeatInterval = heartbeatInterval
    }

    /// The longest gap between two heartbeats to a peer that is on time.
    public var maximumGap: Duration { self.heartbeatInterval * 2 }

    /// Forgets every peer's last heartbeat: a new term of leadership starts the count afresh.
    public mutating func reset() {
        self.lastSent.removeAll(keepingCapacity: true)
    }

    /// Notes the heartbeats among `messages`, sent at `now`; returns each peer whose heartbeat came late,
    /// with how far past `maximumGap` it came.
    public mutating func late(among messages: [Raft.Message], at now: ContinuousClock.Instant) -> [(peer: UInt64, exceededBy: Duration)] {
        var late: [(peer: UInt64, exceededBy: Duration)] = []
        for message in messages where message.type == .heartbeat {
            if let previous = self.lastSent[message.to] {
                let exceeded = now - previous - self.maximumGap
                if exceeded > .zero { late.append((message.to, exceeded)) }
            }
            self.lastSent[message.to] = now
        }
        return late
    }
}
