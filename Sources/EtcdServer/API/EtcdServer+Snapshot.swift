import Backend
import BoltFile
import Crypto
import EtcdProto
import Foundation
import GoFormat
import Restore
import Telemetry

extension EtcdServer {
    /// The bytes of database per `Snapshot` message, as etcd sends them.
    public static let snapshotChunkBytes = 32 * 1024
    /// The bytes the writing thread hands over at a time.
    private static let snapshotBlockBytes = 32 * snapshotChunkBytes
    /// Blocks made ahead of the stream before the writing thread waits for it.
    private static let snapshotQueuedBlocks = 4

    /// etcd's `Snapshot`: a consistent copy of the backend as of now, in etcd's own file format (bbolt, with
    /// etcd's buckets and encodings, so Go's `snapshot status` and `snapshot restore` take it), handed to
    /// `send` in chunks that each carry the bytes still to come, then one last message whose blob is the
    /// SHA-256 of everything sent (what `snapshot restore` verifies). Writes go on meanwhile: the open
    /// batch is committed and one read view of the committed state is turned into the file on a thread of
    /// its own, which lays the file out in a first pass over the view (so the size and the meta pages are
    /// known) and makes its pages in file order in a second, while they stream. At most a few blocks of
    /// the file are in memory; the thread waits when the client reads slower than it writes.
    public func snapshot(send: (Etcdserverpb_SnapshotResponse) async throws -> Void) async throws {
        let started = ContinuousClock.now
        let stateMachine = self.stateMachine
        _ = try await self.applyLoop.perform { stateMachine.commitNow() }
        let size = try await self.stateMachine.reading { stores in
            let pipe = BlockPipe(capacity: Self.snapshotQueuedBlocks)
            let size = try await Self.startWriting(stores.backend, into: pipe)
            do {
                try await self.stream(from: pipe, size: size, send: send)
            } catch {
                await pipe.abandon()
                throw error
            }
            return size
        }
        let took = ContinuousClock.now - started
        self.configuration.metrics.disk.backendSnapshotSeconds.record(took.inSeconds)
        self.logger.info(
            "successfully sent database snapshot to client",
            metadata: ["total-bytes": "\(size)", "size": "\(HumanBytes.string(size))", "took": "\(took.goString)"]
        )
    }

    /// Starts the thread that writes the backend's file into `pipe` and returns the file's size once it is
    /// laid out (or what failed before). The thread closes its read view before it finishes the pipe.
    private static func startWriting(_ backend: Backend, into pipe: BlockPipe) async throws -> Int64 {
        try await withCheckedThrowingContinuation { (planned: CheckedContinuation<Int64, any Error>) in
            let thread = Thread {
                Thread.current.name = "snapshot"
                var pending: CheckedContinuation<Int64, any Error>? = planned
                var failure: (any Error)?
                do {
                    let view = try backend.read()
                    defer { view.close() }
                    let layout = try SnapshotExport.layout(backend, view: view)
                    pending?.resume(returning: layout.totalSizeBytes)
                    pending = nil
                    let writer = try BoltWriter(layout: layout, blockBytes: Self.snapshotBlockBytes) { pipe.send($0) }
                    _ = try SnapshotExport.write(backend, view: view, to: writer)
                } catch {
                    failure = error
                }
                if let pending, let failure {
                    pending.resume(throwing: failure)
                }
                pipe.finish(failure)
            }
            thread.stackSize = 4 << 20
            thread.start()
        }
    }

    /// Sends the file coming through `pipe` in chunks of ``snapshotChunkBytes``, then its SHA-256.
    private func stream(from pipe: BlockPipe, size: Int64, send: (Etcdserverpb_SnapshotResponse) async throws -> Void) async throws {
        self.logger.info(
            "sending database snapshot to client",
            metadata: ["total-bytes": "\(size)", "size": "\(HumanBytes.string(size))"]
        )
        var hash = SHA256()
        var sent: Int64 = 0
        var carry: [UInt8] = []
        func sendChunk(_ chunk: some Collection<UInt8>) async throws {
            sent += Int64(chunk.count)
            guard sent <= size else {
                throw EtcdError(.internalError, "etcdserver: the snapshot file grew past its planned \(size) bytes")
            }
            var response = Etcdserverpb_SnapshotResponse()
            response.remainingBytes = UInt64(size - sent)
            response.blob = Data(chunk)
            hash.update(data: response.blob)
            try await send(response)
        }
        while let block = try await pipe.next() {
            var start = 0
            if !carry.isEmpty {
                let taken = min(Self.snapshotChunkBytes - carry.count, block.count)
                carry.append(contentsOf: block[0..<taken])
                start = taken
                if carry.count == Self.snapshotChunkBytes {
                    try await sendChunk(carry)
                    carry.removeAll(keepingCapacity: true)
                }
            }
            while block.count - start >= Self.snapshotChunkBytes {
                try await sendChunk(block[start..<(start + Self.snapshotChunkBytes)])
                start += Self.snapshotChunkBytes
            }
            carry.append(contentsOf: block[start...])
        }
        if !carry.isEmpty {
            try await sendChunk(carry)
        }
        guard sent == size else {
            throw EtcdError(.internalError, "etcdserver: the snapshot file ended at \(sent) of its planned \(size) bytes")
        }
        var checksum = Etcdserverpb_SnapshotResponse()
        checksum.blob = Data(hash.finalize())
        self.logger.info(
            "sending database sha256 checksum to client",
            metadata: ["total-bytes": "\(size)", "checksum-size": "\(checksum.blob.count)"]
        )
        try await send(checksum)
    }
}
