import Foundation
import Glibc

/// The lock that keeps two backup runs out of one directory: `flock` on `<dir>/.etcd-ops.lock`, released
/// when the run ends or dies. The file holds the holder's process id, named in the refusal.
final class BackupLock {
    static let fileName = ".etcd-ops.lock"

    private let descriptor: Int32

    /// Takes the lock of `directory` or fails at once with ``OpsError/Kind/locked``.
    init(directory: String) throws(OpsError) {
        let path = (directory as NSString).appendingPathComponent(Self.fileName)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw FileOutput.failure("open", path) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = Self.holder(descriptor)
            close(descriptor)
            throw OpsError(.locked, "another etcd-ops backup is running in \(directory)\(holder.map { " (process \($0))" } ?? "")")
        }
        self.descriptor = descriptor
        let pid = Array("\(getpid())\n".utf8)
        if ftruncate(descriptor, 0) == 0 {
            _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, pid.count, 0) }
        }
    }

    deinit {
        flock(self.descriptor, LOCK_UN)
        close(self.descriptor)
    }

    private static func holder(_ descriptor: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = pread(descriptor, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }
}
