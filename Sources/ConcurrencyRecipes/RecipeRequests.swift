import EtcdProto
import Foundation

/// The keys, reads and transactions of clientv3's recipes, byte for byte as Go builds them.
enum RecipeRequests {
    /// `name/`: the prefix under which each session taking part in a lock or an election has its key.
    static func prefix(of name: Data) -> Data {
        name + Data("/".utf8)
    }

    /// `<prefix><lease in hex>`: a session's key, the lease written as Go's `%x` writes it.
    static func key(under prefix: Data, lease: Int64) -> Data {
        prefix + Data(String(lease, radix: 16).utf8)
    }

    /// `key` alone.
    static func read(_ key: Data) -> Etcdserverpb_RangeRequest {
        var request = Etcdserverpb_RangeRequest()
        request.key = key
        return request
    }

    /// The oldest key under `prefix` (clientv3's `WithFirstCreate`): the lock's holder, the election's leader.
    static func firstCreated(under prefix: Data) -> Etcdserverpb_RangeRequest {
        self.byCreation(under: prefix, order: .ascend)
    }

    /// The newest key under `prefix` created at or before `maxCreateRevision` (clientv3's `WithLastCreate` and
    /// `WithMaxCreateRev`): the waiter just ahead.
    static func lastCreated(under prefix: Data, by maxCreateRevision: Int64) -> Etcdserverpb_RangeRequest {
        var request = self.byCreation(under: prefix, order: .descend)
        request.maxCreateRevision = maxCreateRevision
        return request
    }

    /// The end of the range of every key that starts with `prefix` (``KeyPrefix/rangeEnd(of:)``).
    static func prefixEnd(of prefix: Data) -> Data {
        Data(KeyPrefix.rangeEnd(of: prefix))
    }

    /// A transaction that runs `then` when `key` was created at `revision` (0: when `key` does not exist),
    /// and `otherwise` when not.
    static func ifCreated(
        _ key: Data,
        at revision: Int64,
        then: [Etcdserverpb_RequestOp],
        otherwise: [Etcdserverpb_RequestOp] = []
    ) -> Etcdserverpb_TxnRequest {
        var compare = Etcdserverpb_Compare()
        compare.key = key
        compare.target = .create
        compare.result = .equal
        compare.createRevision = revision
        var request = Etcdserverpb_TxnRequest()
        request.compare = [compare]
        request.success = then
        request.failure = otherwise
        return request
    }

    /// A put of `value` at `key`, attached to `lease`.
    static func put(_ key: Data, _ value: Data, lease: Int64) -> Etcdserverpb_RequestOp {
        var put = Etcdserverpb_PutRequest()
        put.key = key
        put.value = value
        put.lease = lease
        var operation = Etcdserverpb_RequestOp()
        operation.requestPut = put
        return operation
    }

    /// A read inside a transaction.
    static func range(_ request: Etcdserverpb_RangeRequest) -> Etcdserverpb_RequestOp {
        var operation = Etcdserverpb_RequestOp()
        operation.requestRange = request
        return operation
    }

    /// A delete of `key` inside a transaction.
    static func delete(_ key: Data) -> Etcdserverpb_RequestOp {
        var delete = Etcdserverpb_DeleteRangeRequest()
        delete.key = key
        var operation = Etcdserverpb_RequestOp()
        operation.requestDeleteRange = delete
        return operation
    }

    private static func byCreation(under prefix: Data, order: Etcdserverpb_RangeRequest.SortOrder) -> Etcdserverpb_RangeRequest {
        var request = Etcdserverpb_RangeRequest()
        request.key = prefix
        request.rangeEnd = self.prefixEnd(of: prefix)
        request.sortTarget = .create
        request.sortOrder = order
        request.limit = 1
        return request
    }
}
