/// A configuration the member cannot run with. The message is the one line an operator sees before the
/// member exits with a non-zero status, worded as etcd words it where etcd has a message.
public struct ConfigurationError: Error, Equatable, CustomStringConvertible {
    public var message: String

    /// An error with `message`.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { self.message }
}
