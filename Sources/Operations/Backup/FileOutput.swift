import Foundation
import Glibc

/// A file written durably: created new (never over an existing one), written in full, synced, renamed
/// into place and its directory synced, or removed again on failure. Failures are ``OpsError/Kind/output``
/// errors naming the path and the system's reason.
final class FileOutput {
    let path: String
    private let descriptor: Int32
    private var closed = false

    /// Creates `path` (mode 0600); fails if it exists.
    init(creating path: String) throws(OpsError) {
        self.path = path
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Self.failure("create", path) }
        self.descriptor = descriptor
    }

    deinit {
        if !self.closed { close(self.descriptor) }
    }

    /// Appends `bytes`.
    func write(_ bytes: [UInt8]) throws(OpsError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(self.descriptor, $0.baseAddress! + offset, bytes.count - offset) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw Self.failure("write", self.path) }
            offset += written
        }
    }

    /// Syncs and closes the file, renames it to `finalPath` and syncs the directory.
    func commit(as finalPath: String) throws(OpsError) {
        guard fsync(self.descriptor) == 0 else { throw Self.failure("sync", self.path) }
        self.closed = true
        guard close(self.descriptor) == 0 else { throw Self.failure("close", self.path) }
        guard rename(self.path, finalPath) == 0 else { throw Self.failure("rename", "\(self.path) to \(finalPath)") }
        try Self.syncDirectory(of: finalPath)
    }

    /// Closes and removes the unfinished file.
    func discard() {
        if !self.closed {
            self.closed = true
            close(self.descriptor)
        }
        unlink(self.path)
    }

    /// Writes `data` to `path` durably (through `path.part`).
    static func writeAtomically(_ data: Data, to path: String) throws(OpsError) {
        let part = path + ".part"
        unlink(part)
        let output = try FileOutput(creating: part)
        do throws(OpsError) {
            try output.write([UInt8](data))
            try output.commit(as: path)
        } catch {
            output.discard()
            throw error
        }
    }

    static func syncDirectory(of path: String) throws(OpsError) {
        let directory = (path as NSString).deletingLastPathComponent
        let descriptor = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Self.failure("open directory", directory) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw Self.failure("sync directory", directory) }
    }

    static func failure(_ operation: String, _ path: String) -> OpsError {
        OpsError(.output, "cannot \(operation) \(path): \(String(cString: strerror(errno)))")
    }
}
