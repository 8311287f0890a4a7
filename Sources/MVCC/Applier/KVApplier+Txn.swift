import EtcdProto

/// Which branch a txn and each txn nested in the branch take, decided before any op runs (etcd's
/// `compareToPath`): nested compares see the state before the txn, not the writes of earlier ops.
struct TxnPath {
    var succeeded: Bool
    /// The paths of the txns nested in the chosen branch, in op order.
    var nested: [TxnPath]
}

extension KVApplier {
    /// etcd's `Txn`: compares on the state before the txn, then the ops of the chosen branch, all in
    /// one revision (none when nothing changes). Before any op runs, puts with `ignore_value` or
    /// `ignore_lease` need an existing key and leases must exist, and ranges need a readable revision;
    /// a failed check changes nothing. A txn with writes runs on the apply thread; a read-only one
    /// (`isReadOnly`) on any thread.
    public func txn(_ request: Etcdserverpb_TxnRequest) throws(KVError) -> Etcdserverpb_TxnResponse {
        try KVRequestValidation.check(request, maxTxnOps: .max)
        if Self.isReadOnly(request) {
            let context = PinnedRead(store: store)
            let path = try compareToPath(request, in: context)
            try checkRanges(request, path, in: context)
            var response = try run(request, path, in: context)
            response.header.revision = context.contextRevision
            return response
        }
        let outcome = try store.write { transaction throws(KVError) in
            let path = try compareToPath(request, in: transaction)
            try checkPuts(request, path, in: transaction)
            try checkRanges(request, path, in: transaction)
            return try run(request, path, in: transaction)
        }
        var response = outcome.result
        response.header.revision = outcome.revision
        return response
    }

    /// True when no op of any branch, nested ones included, writes (etcd's `isTxnReadonly`).
    public static func isReadOnly(_ request: Etcdserverpb_TxnRequest) -> Bool {
        isReadOnly(request.success) && isReadOnly(request.failure)
    }

    private static func isReadOnly(_ operations: [Etcdserverpb_RequestOp]) -> Bool {
        for operation in operations {
            switch operation.request {
            case .requestRange, nil: continue
            case .requestPut, .requestDeleteRange: return false
            case .requestTxn(let nested): if !isReadOnly(nested) { return false }
            }
        }
        return true
    }

    private func compareToPath(_ request: Etcdserverpb_TxnRequest, in context: some KVReadContext) throws(KVError) -> TxnPath {
        var succeeded = true
        for compare in request.compare where succeeded {
            succeeded = try TxnCompare.holds(compare, in: context)
        }
        var nested: [TxnPath] = []
        for operation in succeeded ? request.success : request.failure {
            if case .requestTxn(let txn) = operation.request {
                nested.append(try compareToPath(txn, in: context))
            }
        }
        return TxnPath(succeeded: succeeded, nested: nested)
    }

    /// Calls `check` on every non-txn op of the chosen branches.
    private func forEachOperation(
        _ request: Etcdserverpb_TxnRequest, _ path: TxnPath,
        _ check: (Etcdserverpb_RequestOp.OneOf_Request) throws(KVError) -> Void
    ) throws(KVError) {
        var nested = path.nested.makeIterator()
        for operation in path.succeeded ? request.success : request.failure {
            guard let op = operation.request else { continue }
            if case .requestTxn(let txn) = op {
                try forEachOperation(txn, nested.next()!, check)
            } else {
                try check(op)
            }
        }
    }

    private func checkPuts(_ request: Etcdserverpb_TxnRequest, _ path: TxnPath, in context: some KVReadContext) throws(KVError) {
        try forEachOperation(request, path) { op throws(KVError) in
            guard case .requestPut(let put) = op else { return }
            if put.ignoreValue || put.ignoreLease {
                if try context.range(KeyRange(key: Array(put.key)), options: RangeOptions()).kvs.isEmpty {
                    throw .keyNotFound
                }
            }
            if put.lease != 0, !store.leases.contains(put.lease) {
                throw .leaseNotFound
            }
        }
    }

    private func checkRanges(_ request: Etcdserverpb_TxnRequest, _ path: TxnPath, in context: some KVReadContext) throws(KVError) {
        try forEachOperation(request, path) { op throws(KVError) in
            guard case .requestRange(let range) = op, range.revision != 0 else { return }
            if range.revision > context.contextRevision {
                throw .futureRevision
            }
            if range.revision < context.firstRevision {
                throw .compacted
            }
        }
    }

    private func run(_ request: Etcdserverpb_TxnRequest, _ path: TxnPath, in context: some KVReadContext) throws(KVError) -> Etcdserverpb_TxnResponse {
        var response = Etcdserverpb_TxnResponse()
        response.header = Etcdserverpb_ResponseHeader()
        response.succeeded = path.succeeded
        var nested = path.nested.makeIterator()
        for operation in path.succeeded ? request.success : request.failure {
            var result = Etcdserverpb_ResponseOp()
            switch operation.request {
            case .requestRange(let range):
                result.responseRange = try self.range(range, in: context)
            case .requestPut(let put):
                result.responsePut = try self.put(put, in: writeTransaction(context))
            case .requestDeleteRange(let delete):
                result.responseDeleteRange = try deleteRange(delete, in: writeTransaction(context))
            case .requestTxn(let txn):
                result.responseTxn = try run(txn, nested.next()!, in: context)
            case nil:
                preconditionFailure("validation rejects empty txn ops")
            }
            response.responses.append(result)
        }
        return response
    }

    private func writeTransaction(_ context: some KVReadContext) -> WriteTransaction {
        guard let transaction = context as? WriteTransaction else {
            preconditionFailure("a write op in a txn classified read-only")
        }
        return transaction
    }
}
