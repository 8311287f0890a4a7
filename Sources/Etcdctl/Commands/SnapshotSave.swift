import EtcdClient
import EtcdProto
import Foundation
import Glibc

/// snapshot save: one member's snapshot stream written to a file.
enum SnapshotSave {
    /// Streams one member's snapshot into `path` (through `path.part`, synced, then renamed), as
    /// clientv3's `snapshot.Save` does; with `--command-timeout` given, it is the deadline.
    static func run(to path: String, _ invocation: Invocation) async throws(CommandError) {
        guard invocation.endpoints.count == 1 else {
            throw CommandError(.interrupted, "snapshot must be requested to one selected node, not multiple [\(invocation.endpoints.joined(separator: " "))]")
        }
        let client = try await invocation.client()
        defer { Task { await client.close() } }
        let partial = path + ".part"
        unlink(partial)
        let descriptor = open(partial, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else {
            throw CommandError(.interrupted, "could not open \(partial) (\(String(cString: strerror(errno))))")
        }
        var closed = false
        defer { if !closed { close(descriptor) } }
        let timeout = invocation.isGiven("command-timeout") ? invocation.commandTimeout : nil
        let deadline = timeout.map { ContinuousClock.now + $0 }
        do {
            var size = 0
            for try await chunk in client.snapshot() {
                if let deadline, ContinuousClock.now > deadline { throw EtcdError.contextDeadlineExceeded }
                try Self.write(chunk.bytes, to: descriptor)
                size += chunk.bytes.count
            }
            guard size % 512 == 32 else { throw EtcdError(.internalError, "sha256 checksum not found [bytes: \(size)]") }
            guard fsync(descriptor) == 0 else { throw EtcdError(.internalError, "fsync \(partial): \(String(cString: strerror(errno)))") }
            close(descriptor)
            closed = true
            guard rename(partial, path) == 0 else {
                throw EtcdError(.internalError, "could not rename \(partial) to \(path) (\(String(cString: strerror(errno))))")
            }
        } catch {
            unlink(partial)
            throw CommandError(.interrupted, "\(error)")
        }
        invocation.console.out("Snapshot saved at \(path)\n")
    }

    private static func write(_ bytes: [UInt8], to descriptor: Int32) throws(EtcdError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, bytes.count - offset) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw EtcdError(.internalError, "write: \(String(cString: strerror(errno)))") }
            offset += written
        }
    }
}
