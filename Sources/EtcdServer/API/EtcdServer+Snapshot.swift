import Crypto
import EtcdProto
import Foundation
import Glibc
import NIOPosix
import Telemetry

extension EtcdServer {
    /// The bytes of database per `Snapshot` message, as etcd sends them.
    public static let snapshotChunkBytes = 32 * 1024
    /// Linux's `O_TMPFILE` (with the `O_DIRECTORY` bit it includes), which Glibc's module does not export.
    private static let openTemporaryFile: Int32 = 0o20_200_000

    /// etcd's `Snapshot`: a consistent copy of the backend as of now, handed to `send` in chunks that each
    /// carry the bytes still to come, then one last message whose blob is the SHA-256 of everything sent
    /// (what `etcdctl snapshot restore` verifies). Writes go on meanwhile: the open batch is committed,
    /// the committed state copied compactly into an unnamed temporary file, and the stream read from it.
    public func snapshot(send: (Etcdserverpb_SnapshotResponse) async throws -> Void) async throws {
        let started = ContinuousClock.now
        let stateMachine = self.stateMachine
        _ = try await self.applyLoop.perform { stateMachine.commitNow() }
        let file = try await self.copyBackendToTemporaryFile()
        defer { close(file.descriptor) }
        self.logger.info(
            "sending database snapshot to client",
            metadata: ["total-bytes": "\(file.size)", "size": "\(Self.humanBytes(file.size))"]
        )
        var hash = SHA256()
        var buffer = [UInt8](repeating: 0, count: Self.snapshotChunkBytes)
        var sent: Int64 = 0
        while sent < file.size {
            let count = try Self.readChunk(file.descriptor, into: &buffer, at: sent, limit: file.size - sent)
            sent += Int64(count)
            var response = Etcdserverpb_SnapshotResponse()
            response.remainingBytes = UInt64(file.size - sent)
            response.blob = Data(buffer[0..<count])
            try await send(response)
            hash.update(data: buffer[0..<count])
        }
        var checksum = Etcdserverpb_SnapshotResponse()
        checksum.blob = Data(hash.finalize())
        self.logger.info(
            "sending database sha256 checksum to client",
            metadata: ["total-bytes": "\(file.size)", "checksum-size": "\(checksum.blob.count)"]
        )
        try await send(checksum)
        let took = ContinuousClock.now - started
        self.configuration.metrics.disk.backendSnapshotSeconds.record(took.inSeconds)
        self.logger.info(
            "successfully sent database snapshot to client",
            metadata: ["total-bytes": "\(file.size)", "size": "\(Self.humanBytes(file.size))", "took": "\(took.goString)"]
        )
    }

    /// Copies the committed backend into a file with no name in the snapshot directory (nothing is left
    /// behind if the member dies) and returns its descriptor and size.
    private func copyBackendToTemporaryFile() async throws -> (descriptor: Int32, size: Int64) {
        let directory = self.configuration.snapshotDirectory
        let backend = self.stores.backend
        return try await NIOThreadPool.singleton.runIfActive {
            let descriptor = Self.openUnnamedFile(in: directory)
            guard descriptor >= 0 else {
                throw EtcdError(.internalError, "etcdserver: cannot create a snapshot file in \(directory): \(Self.errnoText())")
            }
            do {
                try backend.copyCompacted(to: descriptor)
                var status = stat()
                guard fstat(descriptor, &status) == 0 else {
                    throw EtcdError(.internalError, "etcdserver: cannot size the snapshot file: \(Self.errnoText())")
                }
                return (descriptor, Int64(status.st_size))
            } catch {
                close(descriptor)
                throw error
            }
        }
    }

    /// A new file in `directory` that no name refers to: `O_TMPFILE`, or where the filesystem lacks it (older
    /// overlayfs) a `mkstemp` file unlinked at once. Returns -1 with `errno` set on failure.
    private static func openUnnamedFile(in directory: String) -> Int32 {
        let descriptor = open(directory, Self.openTemporaryFile | O_RDWR, 0o600)
        guard descriptor < 0, errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL else { return descriptor }
        var template = Array("\(directory)/.snapshot-XXXXXX".utf8CString)
        let named = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        if named >= 0 { template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) } }
        return named
    }

    /// Reads up to one buffer (and at most `limit` bytes) at `offset`; fails on a short file.
    private static func readChunk(_ descriptor: Int32, into buffer: inout [UInt8], at offset: Int64, limit: Int64) throws -> Int {
        let wanted = Int(min(Int64(buffer.count), limit))
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, wanted, off_t(offset)) }
        guard count > 0 else {
            throw EtcdError(.internalError, "etcdserver: reading the snapshot file failed: \(count < 0 ? errnoText() : "end of file")")
        }
        return count
    }

    private static func errnoText() -> String {
        String(cString: strerror(errno))
    }

    /// A size as etcd's logs print it (go-humanize's SI units, e.g. `20 kB`).
    static func humanBytes(_ bytes: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: value < 10 ? "%.1f %@" : "%.0f %@", value, units[unit])
    }
}
