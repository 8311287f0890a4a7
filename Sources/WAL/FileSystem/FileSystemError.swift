import Glibc

/// A failed file operation: which operation, on which path, and the `errno` it failed with.
public struct FileSystemError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The operation, e.g. `"open"`, `"fdatasync"`.
    public let operation: String
    /// The path it was applied to.
    public let path: String
    /// The `errno` value.
    public let errno: Int32

    /// Creates an error.
    public init(operation: String, path: String, errno: Int32) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    /// `strerror` of ``errno``.
    public var errnoText: String { String(cString: strerror(self.errno)) }

    /// `"<operation> <path>: <strerror>"`.
    public var description: String { "\(self.operation) \(self.path): \(self.errnoText)" }
}
