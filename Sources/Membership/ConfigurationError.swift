/// A configuration that cannot be used (flags, `--initial-cluster`, URLs), for the member and for an
/// offline restore. The message is the one line an operator sees before the program exits with a non-zero
/// status, worded as etcd words it where etcd has a message.
public struct ConfigurationError: Error, Equatable, CustomStringConvertible {
    public var message: String

    /// An error with `message`.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { self.message }
}
