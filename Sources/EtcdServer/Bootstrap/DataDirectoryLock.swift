import Foundation
import Glibc

/// An exclusive lock on the member's directory, held for the life of the process, so that two members
/// never write the same WAL and backend (etcd locks its WAL files for the same reason).
final class DataDirectoryLock: Sendable {
    private let descriptor: CInt

    /// Creates the directory if needed and locks it; throws if another process holds the lock.
    init(directory: String) throws(BootstrapError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw BootstrapError("cannot create data directory \(directory): \(error.localizedDescription)")
        }
        let path = "\(directory)/.lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw BootstrapError("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw BootstrapError("data directory \(directory) is in use by another etcd process")
        }
        self.descriptor = descriptor
    }

    deinit {
        close(self.descriptor)
    }
}

/// The member cannot start from its data directory and flags; the message says why, in one line.
public struct BootstrapError: Error, CustomStringConvertible, Equatable {
    public var message: String

    /// An error with `message`.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { self.message }
}
