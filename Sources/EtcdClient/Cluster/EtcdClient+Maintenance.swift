import Crypto
import EtcdGRPC
import EtcdProto
import GRPCCore

/// The Maintenance service. Calls about one member (status, hash, defragment) go to the pinned
/// endpoint: use ``EtcdClient/single(_:)`` to address a given one.
extension EtcdClient {
    /// The member's status.
    public func status(timeout: Duration? = nil) async throws(EtcdError) -> Etcdserverpb_StatusResponse {
        try await self.unary(.idempotent, timeout: timeout) { client, options in
            try await Etcdserverpb_Maintenance.Client(wrapping: client).status(Etcdserverpb_StatusRequest(), options: options)
        }
    }

    /// Defragments the member's data file.
    public func defragment(timeout: Duration? = nil) async throws(EtcdError) -> Etcdserverpb_DefragmentResponse {
        try await self.unary(.mutation, timeout: timeout) { client, options in
            try await Etcdserverpb_Maintenance.Client(wrapping: client).defragment(Etcdserverpb_DefragmentRequest(), options: options)
        }
    }

    /// The alarms raised in the cluster.
    public func alarms(timeout: Duration? = nil) async throws(EtcdError) -> Etcdserverpb_AlarmResponse {
        var request = Etcdserverpb_AlarmRequest()
        request.action = .get
        return try await self.unary(.idempotent, timeout: timeout) { [request] client, options in
            try await Etcdserverpb_Maintenance.Client(wrapping: client).alarm(request, options: options)
        }
    }

    /// Clears `alarm` for `memberID` (0 and NONE: every alarm of every member, as `etcdctl alarm disarm` does).
    public func disarm(
        _ alarm: Etcdserverpb_AlarmType = .none,
        memberID: UInt64 = 0,
        timeout: Duration? = nil
    ) async throws(EtcdError) -> Etcdserverpb_AlarmResponse {
        var request = Etcdserverpb_AlarmRequest()
        request.action = .deactivate
        request.alarm = alarm
        request.memberID = memberID
        return try await self.unary(.mutation, timeout: timeout) { [request] client, options in
            try await Etcdserverpb_Maintenance.Client(wrapping: client).alarm(request, options: options)
        }
    }

    /// etcd's `Hash` of the member's whole backend.
    public func hash(timeout: Duration? = nil) async throws(EtcdError) -> Etcdserverpb_HashResponse {
        try await self.unary(.idempotent, timeout: timeout) { client, options in
            try await Etcdserverpb_Maintenance.Client(wrapping: client).hash(Etcdserverpb_HashRequest(), options: options)
        }
    }

    /// etcd's `HashKV` of the member's history up to `revision` (0: the current one).
    public func hashKV(revision: Int64 = 0, timeout: Duration? = nil) async throws(EtcdError) -> Etcdserverpb_HashKVResponse {
        var request = Etcdserverpb_HashKVRequest()
        request.revision = revision
        return try await self.unary(.idempotent, timeout: timeout) { [request] client, options in
            try await Etcdserverpb_Maintenance.Client(wrapping: client).hashKV(request, options: options)
        }
    }

    /// Asks the leader (which must be the pinned member) to hand leadership to `targetID`.
    public func moveLeader(to targetID: UInt64, timeout: Duration? = nil) async throws(EtcdError) -> Etcdserverpb_MoveLeaderResponse {
        var request = Etcdserverpb_MoveLeaderRequest()
        request.targetID = targetID
        return try await self.unary(.mutation, timeout: timeout) { [request] client, options in
            try await Etcdserverpb_Maintenance.Client(wrapping: client).moveLeader(request, options: options)
        }
    }

    /// The pinned member's backend as a stream of chunks, ending with the SHA-256 of everything before it
    /// (etcd's trailer, which `etcdctl snapshot save` keeps in the file); the trailer is checked before it
    /// is yielded, and a mismatch or a stream ending early fails the sequence. Chunks wait in the sequence
    /// until taken; ``snapshot(_:)`` holds the stream back instead.
    public func snapshot() -> AsyncThrowingStream<SnapshotChunk, any Error> {
        let (stream, continuation) = AsyncThrowingStream<SnapshotChunk, any Error>.makeStream()
        let task = Task {
            do {
                try await self.snapshot { chunk in continuation.yield(chunk) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// Hands the pinned member's backend to `handle` chunk by chunk, the checked SHA-256 trailer last; the
    /// next chunk is read once `handle` returns, so a slow consumer slows the member's stream rather than
    /// piling chunks up. Fails with the member's error, ``EtcdError/snapshotChecksum``,
    /// ``EtcdError/snapshotTruncated`` or what `handle` threw.
    public func snapshot(_ handle: @escaping @Sendable (SnapshotChunk) async throws -> Void) async throws {
        /// What `handle` threw, kept apart from the stream's own failures.
        struct HandlerFailure: Error {
            let error: any Error
        }
        @Sendable func deliver(_ chunk: SnapshotChunk) async throws {
            do {
                try await handle(chunk)
            } catch {
                throw HandlerFailure(error: error)
            }
        }
        try await self.renewTokenForStream()
        let connection = self.connections[self.connectionIndex]
        do {
            try await Etcdserverpb_Maintenance.Client(wrapping: connection.client).snapshot(Etcdserverpb_SnapshotRequest()) { response in
                var hash = SHA256()
                var finished = false
                for try await message in response.messages {
                    let bytes = [UInt8](message.blob)
                    if finished {
                        guard bytes.count == SHA256.byteCount, bytes == Array(hash.finalize()) else {
                            throw EtcdError.snapshotChecksum
                        }
                        try await deliver(SnapshotChunk(bytes: bytes, remainingBytes: 0, isChecksum: true))
                        return
                    }
                    hash.update(data: bytes)
                    try await deliver(SnapshotChunk(bytes: bytes, remainingBytes: message.remainingBytes, isChecksum: false))
                    finished = message.remainingBytes == 0
                }
                throw EtcdError.snapshotTruncated
            }
        } catch let failure as HandlerFailure {
            throw failure.error
        } catch {
            throw EtcdError(clientFailure: error)
        }
    }
}

/// A piece of a snapshot stream: database bytes, or the SHA-256 trailer that ends it.
public struct SnapshotChunk: Sendable {
    public var bytes: [UInt8]
    /// Database bytes still to come after this chunk.
    public var remainingBytes: UInt64
    /// Whether these bytes are the trailer (the SHA-256 of the database), already checked.
    public var isChecksum: Bool
}

extension EtcdError {
    /// The snapshot's trailer does not match what was received.
    public static let snapshotChecksum = EtcdError(.dataLoss, "snapshot: sha256 checksum mismatch")
    /// The snapshot stream ended before its trailer.
    public static let snapshotTruncated = EtcdError(.dataLoss, "snapshot: the stream ended before its sha256 checksum")
}
