/// Why a snapshot could not be exported, checked or restored: one line, etcd's words where etcd has them.
public struct RestoreError: Error, Equatable, CustomStringConvertible {
    public var message: String

    /// An error with `message`.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { self.message }
}
