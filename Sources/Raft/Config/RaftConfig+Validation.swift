extension RaftConfig {
    /// Checks that the configuration can run.
    ///
    /// - Throws: ``ConfigError`` naming the first value that is out of range.
    public func validate() throws(ConfigError) {
        if self.id == .none { throw .noneID }
        if self.heartbeatTicks <= 0 { throw .heartbeatTicksNotPositive }
        if self.electionTicks <= self.heartbeatTicks { throw .electionTicksNotAboveHeartbeatTicks }
        if self.maxSizePerMessageBytes <= 0 { throw .notPositive("maxSizePerMessageBytes") }
        if self.maxInflightMessages <= 0 { throw .notPositive("maxInflightMessages") }
        if self.maxInflightBytes <= 0 { throw .notPositive("maxInflightBytes") }
        if self.maxUncommittedEntriesBytes <= 0 { throw .notPositive("maxUncommittedEntriesBytes") }
        if self.maxCommittedBytesPerReady <= 0 { throw .notPositive("maxCommittedBytesPerReady") }
        if self.maxPendingReadIndexRequests <= 0 { throw .notPositive("maxPendingReadIndexRequests") }
    }
}

/// A ``RaftConfig`` value that cannot run.
public struct ConfigError: Error, Hashable, CustomStringConvertible {
    private enum Reason: Hashable {
        case noneID
        case heartbeatTicksNotPositive
        case electionTicksNotAboveHeartbeatTicks
        case notPositive(String)
    }

    private let reason: Reason

    /// The identity is ``NodeID/none``.
    public static let noneID = ConfigError(reason: .noneID)
    /// ``RaftConfig/heartbeatTicks`` is zero or negative.
    public static let heartbeatTicksNotPositive = ConfigError(reason: .heartbeatTicksNotPositive)
    /// ``RaftConfig/electionTicks`` does not exceed ``RaftConfig/heartbeatTicks``.
    public static let electionTicksNotAboveHeartbeatTicks = ConfigError(reason: .electionTicksNotAboveHeartbeatTicks)

    /// The named limit is zero or negative.
    public static func notPositive(_ field: String) -> ConfigError {
        ConfigError(reason: .notPositive(field))
    }

    /// The wording of etcd's raft where etcd has one.
    public var description: String {
        switch self.reason {
        case .noneID: "cannot use none as id"
        case .heartbeatTicksNotPositive: "heartbeat tick must be greater than 0"
        case .electionTicksNotAboveHeartbeatTicks: "election tick must be greater than heartbeat tick"
        case .notPositive(let field): "\(field) must be greater than 0"
        }
    }
}
