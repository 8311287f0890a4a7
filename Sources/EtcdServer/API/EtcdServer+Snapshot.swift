import Backend
import BoltFile
import Crypto
import EtcdProto
import Foundation
import Glibc
import GoFormat
import NIOPosix
import Restore
import Telemetry

extension EtcdServer {
    /// The bytes of database per `Snapshot` message, as etcd sends them.
    public static let snapshotChunkBytes = 32 * 1024
    /// The bytes read from the copy per trip to the thread pool.
    private static let snapshotReadBytes = 32 * snapshotChunkBytes
    /// The copy behind a stream has no name and is read once: it need not reach the disk.
    private static let unsyncedCopy = BoltWriter.Options(syncsOnFinish: false)
    /// Linux's `O_TMPFILE` (with the `O_DIRECTORY` bit it includes), which Glibc's module does not export.
    private static let openTemporaryFile: Int32 = 0o20_200_000

    /// etcd's `Snapshot`: a consistent copy of the backend as of now, in etcd's own file format (bbolt, with
    /// etcd's buckets and encodings, so Go's `snapshot status` and `snapshot restore` take it), handed to
    /// `send` in chunks that each carry the bytes still to come, then one last message whose blob is the
    /// SHA-256 of everything sent (what `snapshot restore` verifies). Writes go on meanwhile: the open
    /// batch is committed, one read view of the committed state written into an unnamed temporary file
    /// in the snap directory (never held in memory), and the stream read from it.
    public func snapshot(send: (Etcdserverpb_SnapshotResponse) async throws -> Void) async throws {
        let started = ContinuousClock.now
        let stateMachine = self.stateMachine
        _ = try await self.applyLoop.perform { stateMachine.commitNow() }
        let file = try await self.copyBackendToTemporaryFile()
        defer { close(file.descriptor) }
        self.logger.info(
            "sending database snapshot to client",
            metadata: ["total-bytes": "\(file.size)", "size": "\(HumanBytes.string(file.size))"]
        )
        var hash = SHA256()
        var sent: Int64 = 0
        while sent < file.size {
            let offset = sent
            let count = Int(min(Int64(Self.snapshotReadBytes), file.size - sent))
            let block = try await NIOThreadPool.singleton.runIfActive {
                try Self.read(count, from: file.descriptor, at: offset)
            }
            for start in stride(from: 0, to: block.count, by: Self.snapshotChunkBytes) {
                let chunk = block[start..<min(start + Self.snapshotChunkBytes, block.count)]
                sent += Int64(chunk.count)
                var response = Etcdserverpb_SnapshotResponse()
                response.remainingBytes = UInt64(file.size - sent)
                response.blob = Data(chunk)
                try await send(response)
                hash.update(data: chunk)
            }
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
            metadata: ["total-bytes": "\(file.size)", "size": "\(HumanBytes.string(file.size))", "took": "\(took.goString)"]
        )
    }

    /// Writes the committed backend as a bbolt file with no name in the snapshot directory (nothing is left
    /// behind if the member dies) and returns its descriptor and size.
    private func copyBackendToTemporaryFile() async throws -> (descriptor: Int32, size: Int64) {
        let directory = self.configuration.snapshotDirectory
        return try await self.stateMachine.reading { stores in
            try await Self.copy(stores.backend, toUnnamedFileIn: directory)
        }
    }

    private static func copy(_ backend: Backend, toUnnamedFileIn directory: String) async throws -> (descriptor: Int32, size: Int64) {
        try await NIOThreadPool.singleton.runIfActive {
            let descriptor = Self.openUnnamedFile(in: directory)
            guard descriptor >= 0 else {
                throw EtcdError(.internalError, "etcdserver: cannot create a snapshot file in \(directory): \(Self.errnoText())")
            }
            do {
                let view = try backend.read()
                defer { view.close() }
                let meta = try SnapshotExport.write(backend, view: view, to: try BoltWriter(fileDescriptor: descriptor, options: Self.unsyncedCopy))
                return (descriptor, meta.totalSizeBytes)
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

    /// Reads exactly `count` bytes at `offset` (blocking: call on a thread-pool thread); fails on a short file.
    private static func read(_ count: Int, from descriptor: Int32, at offset: Int64) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = bytes.withUnsafeMutableBytes {
                pread(descriptor, $0.baseAddress! + filled, count - filled, off_t(offset) + off_t(filled))
            }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else {
                throw EtcdError(.internalError, "etcdserver: reading the snapshot file failed: \(got < 0 ? errnoText() : "end of file")")
            }
            filled += got
        }
        return bytes
    }

    private static func errnoText() -> String {
        String(cString: strerror(errno))
    }
}
