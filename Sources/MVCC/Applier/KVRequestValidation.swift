import Backend
import EtcdProto

/// The checks etcd makes on KV requests before they reach the store (`v3rpc/key.go`), with its errors
/// and their order. They depend on the request alone, so the server runs them before proposing; the
/// applier runs them again (without the op limit) so that no invalid request changes anything.
public enum KVRequestValidation {
    /// etcd's `--max-txn-ops` default.
    public static let defaultMaxTxnOps = 128

    /// An empty key is `emptyKey`; an unknown sort order or target is `invalidSortOption`.
    public static func check(_ request: Etcdserverpb_RangeRequest) throws(KVError) {
        if request.key.isEmpty {
            throw .emptyKey
        }
        if case .UNRECOGNIZED = request.sortOrder {
            throw .invalidSortOption
        }
        if case .UNRECOGNIZED = request.sortTarget {
            throw .invalidSortOption
        }
    }

    /// An empty key is `emptyKey`; `ignore_value` with a value is `valueProvided`; `ignore_lease` with a
    /// lease is `leaseProvided`.
    public static func check(_ request: Etcdserverpb_PutRequest) throws(KVError) {
        if request.key.isEmpty {
            throw .emptyKey
        }
        if request.ignoreValue, !request.value.isEmpty {
            throw .valueProvided
        }
        if request.ignoreLease, request.lease != 0 {
            throw .leaseProvided
        }
    }

    /// An empty key is `emptyKey`.
    public static func check(_ request: Etcdserverpb_DeleteRangeRequest) throws(KVError) {
        if request.key.isEmpty {
            throw .emptyKey
        }
    }

    /// The number `--max-txn-ops` limits: the largest of the compare, success and failure counts.
    public static func operationCount(_ request: Etcdserverpb_TxnRequest) -> Int {
        max(request.compare.count, request.success.count, request.failure.count)
    }

    /// etcd's `checkTxnRequest` then `checkIntervals` on both branches: `tooManyOperations` when
    /// `operationCount` exceeds `maxTxnOps` (a nested txn gets what its parent leaves), `emptyKey` for a
    /// compare or op with an empty key, `keyNotFound` for an empty op, the checks of each op, and
    /// `duplicateKey` when a branch puts a key twice or puts a key one of its deletes covers.
    public static func check(_ request: Etcdserverpb_TxnRequest, maxTxnOps: Int = defaultMaxTxnOps) throws(KVError) {
        try checkOperations(request, maxTxnOps: maxTxnOps)
        try DuplicateKeyCheck.check(request.success)
        try DuplicateKeyCheck.check(request.failure)
    }

    private static func checkOperations(_ request: Etcdserverpb_TxnRequest, maxTxnOps: Int) throws(KVError) {
        let count = operationCount(request)
        if count > maxTxnOps {
            throw .tooManyOperations
        }
        for compare in request.compare where compare.key.isEmpty {
            throw .emptyKey
        }
        for operation in [request.success, request.failure].joined() {
            try check(operation, maxTxnOps: maxTxnOps - count)
        }
    }

    private static func check(_ operation: Etcdserverpb_RequestOp, maxTxnOps: Int) throws(KVError) {
        switch operation.request {
        case .requestRange(let range): try check(range)
        case .requestPut(let put): try check(put)
        case .requestDeleteRange(let delete): try check(delete)
        case .requestTxn(let txn): try checkOperations(txn, maxTxnOps: maxTxnOps)
        case nil: throw .keyNotFound
        }
    }
}

/// etcd's `checkIntervals`: within one branch, and across the branches of its nested txns, a key may
/// be put once and not inside a range the branch deletes. The two branches of one nested txn may put
/// the same key (only one runs). As in etcd, a delete's `range_end` is taken literally here, so the
/// "every key from" form (`\0`) covers nothing.
enum DuplicateKeyCheck {
    private struct Interval {
        let start: [UInt8]
        let end: [UInt8]

        func contains(_ key: [UInt8]) -> Bool {
            !Bytes.less(key, start) && Bytes.less(key, end)
        }
    }

    private struct Summary {
        var puts: Set<[UInt8]> = []
        var deletes: [Interval] = []

        func deletes(_ key: [UInt8]) -> Bool {
            deletes.contains { $0.contains(key) }
        }
    }

    static func check(_ operations: [Etcdserverpb_RequestOp]) throws(KVError) {
        if operations.count < 2 {
            // A single op collides with nothing, unless it is a txn with branches of its own.
            guard let only = operations.first, case .requestTxn = only.request else { return }
        }
        _ = try summarize(operations)
    }

    private static func summarize(_ operations: [Etcdserverpb_RequestOp]) throws(KVError) -> Summary {
        var summary = Summary()
        for operation in operations {
            guard case .requestDeleteRange(let delete) = operation.request else { continue }
            let key = Array(delete.key)
            let end = delete.rangeEnd.isEmpty ? key + [0] : Array(delete.rangeEnd)
            summary.deletes.append(Interval(start: key, end: end))
        }
        for operation in operations {
            guard case .requestTxn(let txn) = operation.request else { continue }
            let success = try summarize(txn.success)
            let failure = try summarize(txn.failure)
            for key in success.puts {
                if summary.puts.contains(key) || summary.deletes(key) {
                    throw .duplicateKey
                }
                summary.puts.insert(key)
            }
            for key in failure.puts {
                if summary.puts.contains(key), !success.puts.contains(key) {
                    throw .duplicateKey
                }
                if summary.deletes(key) {
                    throw .duplicateKey
                }
                summary.puts.insert(key)
            }
            summary.deletes += success.deletes + failure.deletes
        }
        for operation in operations {
            guard case .requestPut(let put) = operation.request else { continue }
            let key = Array(put.key)
            if summary.puts.contains(key) || summary.deletes(key) {
                throw .duplicateKey
            }
            summary.puts.insert(key)
        }
        return summary
    }
}
