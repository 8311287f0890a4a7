import EtcdProto
import Foundation

/// What clientv3's concurrency recipes ask of a cluster: linearizable reads, transactions, deletes and watches.
/// The client library answers over gRPC; the member answers from its own API, as etcd's Lock and Election
/// services run the same recipes through an in-process client. Failures are etcd's errors, except what ends a
/// watch, which is whatever the watch reports.
public protocol RecipeClient: Sendable {
    /// etcd's `Range`, linearizable.
    func range(_ request: Etcdserverpb_RangeRequest) async throws(EtcdError) -> Etcdserverpb_RangeResponse

    /// etcd's `Txn`.
    func txn(_ request: Etcdserverpb_TxnRequest) async throws(EtcdError) -> Etcdserverpb_TxnResponse

    /// etcd's `DeleteRange`.
    func deleteRange(_ request: Etcdserverpb_DeleteRangeRequest) async throws(EtcdError) -> Etcdserverpb_DeleteRangeResponse

    /// Watches `key` (every key from `key` up to `rangeEnd`, when given) from `revision` on and hands each
    /// response that carries events, header filled, to `handle`, in order, until `handle` returns false. Returns
    /// then, or when the watch ends without a failure (the calling task was cancelled, the client closed).
    /// Throws what ended it otherwise: etcd's compacted error when `revision` has left the history, or
    /// `handle`'s error.
    func watch(
        _ key: Data,
        rangeEnd: Data?,
        from revision: Int64,
        handle: (Etcdserverpb_WatchResponse) async throws -> Bool
    ) async throws
}
