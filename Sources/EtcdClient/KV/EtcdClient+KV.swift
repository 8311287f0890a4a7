import ConcurrencyRecipes
import EtcdGRPC
import EtcdProto
import Foundation
import GRPCCore

/// The KV service: every option of etcd's requests is in the request messages; the helpers below build
/// the usual ones.
extension EtcdClient {
    /// etcd's `Range`. Retried on another member when unavailable (a read).
    public func range(_ request: Etcdserverpb_RangeRequest, timeout: Duration? = nil) async throws(EtcdError) -> Etcdserverpb_RangeResponse {
        try await self.unary(.idempotent, timeout: timeout) { client, options in
            try await Etcdserverpb_KV.Client(wrapping: client).range(request, options: options)
        }
    }

    /// etcd's `Put`. Retried only when it certainly never reached a member.
    public func put(_ request: Etcdserverpb_PutRequest, timeout: Duration? = nil) async throws(EtcdError) -> Etcdserverpb_PutResponse {
        try await self.unary(.mutation, timeout: timeout) { client, options in
            try await Etcdserverpb_KV.Client(wrapping: client).put(request, options: options)
        }
    }

    /// etcd's `DeleteRange`.
    public func deleteRange(
        _ request: Etcdserverpb_DeleteRangeRequest,
        timeout: Duration? = nil
    ) async throws(EtcdError) -> Etcdserverpb_DeleteRangeResponse {
        try await self.unary(.mutation, timeout: timeout) { client, options in
            try await Etcdserverpb_KV.Client(wrapping: client).deleteRange(request, options: options)
        }
    }

    /// etcd's `Txn`; a txn that only reads is retried like a range.
    public func txn(_ request: Etcdserverpb_TxnRequest, timeout: Duration? = nil) async throws(EtcdError) -> Etcdserverpb_TxnResponse {
        try await self.unary(Self.readsOnly(request) ? .idempotent : .mutation, timeout: timeout) { client, options in
            try await Etcdserverpb_KV.Client(wrapping: client).txn(request, options: options)
        }
    }

    /// etcd's `Compact`: history before `revision` goes; `physical` waits until it is gone from disk.
    public func compact(revision: Int64, physical: Bool = false, timeout: Duration? = nil) async throws(EtcdError) -> Etcdserverpb_CompactionResponse {
        var request = Etcdserverpb_CompactionRequest()
        request.revision = revision
        request.physical = physical
        return try await self.unary(.mutation, timeout: timeout) { [request] client, options in
            try await Etcdserverpb_KV.Client(wrapping: client).compact(request, options: options)
        }
    }

    // MARK: Helpers

    /// The value of `key`, or nil.
    public func get(_ key: String) async throws(EtcdError) -> Mvccpb_KeyValue? {
        try await self.range(RangeRequests.key(Array(key.utf8))).kvs.first
    }

    /// Every key under `prefix`, in key order.
    public func get(prefix: String) async throws(EtcdError) -> [Mvccpb_KeyValue] {
        try await self.range(RangeRequests.prefix(Array(prefix.utf8))).kvs
    }

    /// Puts `value` at `key` (attached to `lease` unless 0); returns the revision.
    @discardableResult
    public func put(_ key: String, _ value: String, lease: Int64 = 0) async throws(EtcdError) -> Int64 {
        var request = Etcdserverpb_PutRequest()
        request.key = Data(key.utf8)
        request.value = Data(value.utf8)
        request.lease = lease
        return try await self.put(request).header.revision
    }

    /// Deletes `key` (every key under it with `prefix`); returns how many were deleted.
    @discardableResult
    public func delete(_ key: String, prefix: Bool = false) async throws(EtcdError) -> Int64 {
        var request = Etcdserverpb_DeleteRangeRequest()
        request.key = Data(key.utf8)
        if prefix { request.rangeEnd = Data(RangeRequests.prefixEnd(of: Array(key.utf8))) }
        return try await self.deleteRange(request).deleted
    }

    static func readsOnly(_ request: Etcdserverpb_TxnRequest) -> Bool {
        (request.success + request.failure).allSatisfy { operation in
            switch operation.request {
            case .requestRange, nil: true
            case .requestTxn(let nested): readsOnly(nested)
            case .requestPut, .requestDeleteRange: false
            }
        }
    }
}

/// Range requests as clientv3's options make them.
public enum RangeRequests {
    /// The end of the range holding every key that starts with `prefix` (clientv3's `GetPrefixRangeEnd`):
    /// the prefix with its last byte below 0xFF incremented and what follows dropped; `[0]` (every key
    /// from the start) when there is no such byte.
    public static func prefixEnd(of prefix: [UInt8]) -> [UInt8] {
        KeyPrefix.rangeEnd(of: prefix)
    }

    /// One key.
    public static func key(_ key: [UInt8]) -> Etcdserverpb_RangeRequest {
        var request = Etcdserverpb_RangeRequest()
        request.key = Data(key)
        return request
    }

    /// Every key starting with `prefix` (every key for an empty prefix).
    public static func prefix(_ prefix: [UInt8]) -> Etcdserverpb_RangeRequest {
        var request = Etcdserverpb_RangeRequest()
        request.key = Data(prefix.isEmpty ? [0] : prefix)
        request.rangeEnd = Data(prefixEnd(of: prefix))
        return request
    }

    /// Every key at or after `key`.
    public static func from(_ key: [UInt8]) -> Etcdserverpb_RangeRequest {
        var request = Etcdserverpb_RangeRequest()
        request.key = Data(key.isEmpty ? [0] : key)
        request.rangeEnd = Data([0])
        return request
    }
}
