import Backend
import EtcdProto
import Foundation
import Lease

/// The outcome of a compaction request: the response or error, and the physical work to wait on for
/// `physical: true` (for an already compacted revision, the latest compaction's work, as in etcd).
public struct CompactionOutcome: Sendable {
    /// The response (header revision set) or etcd's error.
    public let result: Result<Etcdserverpb_CompactionResponse, KVError>
    /// Finishes when the compaction's physical work is done.
    public let physical: CompactionTicket
}

/// The request-level applier: etcd's `applierV3backend` for the KV and lease requests, taking and
/// returning the `etcdserverpb` messages. Responses carry the header revision; the server fills the
/// cluster ID, member ID and Raft term. Every error is a `KVError` with etcd's message and gRPC code,
/// and a rejected request changes nothing.
///
/// Threading: `range` and read-only `txn`s run on any thread; the other methods run on the apply
/// thread (the store's writer), in Raft log order, each followed by `KVStore.setConsistentIndex`.
public final class KVApplier: Sendable {
    /// The store applied to.
    public let store: KVStore

    /// An applier for `store`.
    public init(store: KVStore) {
        self.store = store
    }

    /// etcd's `Range`. Any thread.
    public func range(_ request: Etcdserverpb_RangeRequest) throws(KVError) -> Etcdserverpb_RangeResponse {
        try KVRequestValidation.check(request)
        return try range(request, in: PinnedRead(store: store))
    }

    /// etcd's `Put`: the lease must exist; `ignore_value` and `ignore_lease` take the value or lease of
    /// the existing key, which must exist; `prev_kv` returns the value replaced. Apply thread.
    public func put(_ request: Etcdserverpb_PutRequest) throws(KVError) -> Etcdserverpb_PutResponse {
        try KVRequestValidation.check(request)
        if request.lease != 0, !store.leases.contains(request.lease) {
            throw .leaseNotFound
        }
        return try store.write { transaction throws(KVError) in
            try put(request, in: transaction)
        }.result
    }

    /// etcd's `DeleteRange`, with `prev_kv`. Apply thread.
    public func deleteRange(_ request: Etcdserverpb_DeleteRangeRequest) throws(KVError) -> Etcdserverpb_DeleteRangeResponse {
        try KVRequestValidation.check(request)
        return try store.write { transaction throws(KVError) in
            try deleteRange(request, in: transaction)
        }.result
    }

    /// etcd's `Compaction`. Apply thread.
    public func compaction(_ request: Etcdserverpb_CompactionRequest) -> CompactionOutcome {
        do {
            let ticket = try store.compact(request.revision)
            var response = Etcdserverpb_CompactionResponse()
            response.header.revision = store.currentRevision
            return CompactionOutcome(result: .success(response), physical: ticket)
        } catch {
            let ticket = error == .compacted ? store.pendingCompaction : CompactionTicket.completed()
            return CompactionOutcome(result: .failure(error), physical: ticket)
        }
    }

    /// etcd's `LeaseGrant` (ID 0 is `leaseNotFound`: the server picks IDs before proposing). Apply
    /// thread.
    public func leaseGrant(_ request: Etcdserverpb_LeaseGrantRequest) throws(KVError) -> Etcdserverpb_LeaseGrantResponse {
        let record: LeaseRecord
        do {
            record = try store.leases.grant(id: request.id, ttlSeconds: request.ttl)
        } catch {
            throw KVError(lease: error)
        }
        var response = Etcdserverpb_LeaseGrantResponse()
        response.id = record.id
        response.ttl = record.ttlSeconds
        response.header.revision = store.currentRevision
        return response
    }

    /// etcd's `LeaseRevoke`: deletes the lease's keys and record in one revision. Apply thread.
    public func leaseRevoke(_ request: Etcdserverpb_LeaseRevokeRequest) throws(KVError) -> Etcdserverpb_LeaseRevokeResponse {
        try store.revokeLease(request.id)
        var response = Etcdserverpb_LeaseRevokeResponse()
        response.header.revision = store.currentRevision
        return response
    }

    /// etcd's `LeaseCheckpoint`: persists each lease's remaining TTL (unknown leases are skipped).
    /// Apply thread.
    public func leaseCheckpoint(_ request: Etcdserverpb_LeaseCheckpointRequest) throws(KVError) -> Etcdserverpb_LeaseCheckpointResponse {
        for checkpoint in request.checkpoints {
            do {
                try store.leases.checkpoint(id: checkpoint.id, remainingTTLSeconds: checkpoint.remainingTtl)
            } catch {
                throw KVError(lease: error)
            }
        }
        var response = Etcdserverpb_LeaseCheckpointResponse()
        response.header.revision = store.currentRevision
        return response
    }

    // MARK: Request logic shared with txns.

    func range(_ request: Etcdserverpb_RangeRequest, in context: some KVReadContext) throws(KVError) -> Etcdserverpb_RangeResponse {
        var limit = request.limit
        if request.sortOrder != .none || request.minModRevision != 0 || request.maxModRevision != 0
            || request.minCreateRevision != 0 || request.maxCreateRevision != 0 {
            limit = 0
        }
        if limit > 0 {
            limit += 1
        }
        let options = RangeOptions(limit: limit, revision: request.revision, countOnly: request.countOnly)
        let result = try context.range(KeyRange(key: request.key, rangeEnd: request.rangeEnd), options: options)
        var keyValues = RangeSorting.sort(RangeSorting.filter(result.kvs, request), request)
        var response = Etcdserverpb_RangeResponse()
        if request.limit > 0, keyValues.count > request.limit {
            keyValues.removeLast(keyValues.count - Int(request.limit))
            response.more = true
        }
        if request.keysOnly {
            for index in keyValues.indices {
                keyValues[index].value = Data()
            }
        }
        response.header.revision = result.revision
        response.count = Int64(result.count)
        response.kvs = keyValues
        return response
    }

    func put(_ request: Etcdserverpb_PutRequest, in transaction: WriteTransaction) throws(KVError) -> Etcdserverpb_PutResponse {
        var response = Etcdserverpb_PutResponse()
        response.header = Etcdserverpb_ResponseHeader()
        let key = Array(request.key)
        var previous: Mvccpb_KeyValue?
        if request.ignoreValue || request.ignoreLease || request.prevKv {
            previous = try transaction.range(KeyRange(key: key)).kvs.first
        }
        if request.ignoreValue || request.ignoreLease, previous == nil {
            throw .keyNotFound
        }
        let value = request.ignoreValue ? Array(previous!.value) : Array(request.value)
        let lease = request.ignoreLease ? previous!.lease : request.lease
        if request.prevKv, let previous {
            response.prevKv = previous
        }
        response.header.revision = try transaction.put(key, value: value, lease: lease)
        return response
    }

    func deleteRange(_ request: Etcdserverpb_DeleteRangeRequest, in transaction: WriteTransaction) throws(KVError) -> Etcdserverpb_DeleteRangeResponse {
        var response = Etcdserverpb_DeleteRangeResponse()
        response.header = Etcdserverpb_ResponseHeader()
        let range = KeyRange(key: request.key, rangeEnd: request.rangeEnd)
        if request.prevKv {
            response.prevKvs = try transaction.range(range).kvs
        }
        let outcome = try transaction.deleteRange(range)
        response.deleted = outcome.deleted
        response.header.revision = outcome.revision
        return response
    }
}
