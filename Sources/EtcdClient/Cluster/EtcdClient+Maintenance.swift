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
    /// is yielded, and a mismatch or a stream ending early fails the sequence.
    public func snapshot() -> AsyncThrowingStream<SnapshotChunk, any Error> {
        let (stream, continuation) = AsyncThrowingStream<SnapshotChunk, any Error>.makeStream()
        let connection = self.connections[self.connectionIndex]
        let task = Task {
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
                            continuation.yield(SnapshotChunk(bytes: bytes, remainingBytes: 0, isChecksum: true))
                            return
                        }
                        hash.update(data: bytes)
                        continuation.yield(SnapshotChunk(bytes: bytes, remainingBytes: message.remainingBytes, isChecksum: false))
                        finished = message.remainingBytes == 0
                    }
                    throw EtcdError.snapshotTruncated
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: EtcdError(clientFailure: error))
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
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
