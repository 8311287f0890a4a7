/// A failure etcd-ops reports: a message for standard error and the kind that picks the exit code.
public struct OpsError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure, each with its own stable exit code (listed in the README).
    public enum Kind: Int32, Sendable {
        /// The operation failed, or a check found the cluster unhealthy.
        case failed = 1
        /// No endpoint could be reached.
        case unreachable = 2
        /// A backup or snapshot file is damaged or not what it claims to be.
        case invalidBackup = 3
        /// The backup directory or restore target cannot be written (permissions, space, in the way).
        case output = 4
        /// Another etcd-ops run holds the backup directory's lock.
        case locked = 5
        /// Bad flags or arguments.
        case usage = 64
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { self.message }
}
