import CLMDB
import Synchronization

/// Read-only LMDB transactions kept reset for reuse: renewing one is cheaper than beginning one, because
/// a reset transaction keeps its reader slot (the environment runs with `MDB_NOTLS`, so slots belong to
/// transactions, not threads, and a transaction may be used from any thread).
final class ReadTransactionPool: @unchecked Sendable {
    /// Reset transactions kept at most; the rest are aborted, freeing their reader slots.
    static let maxIdleTransactions = 64

    private let environment: OpaquePointer
    /// A reset transaction: safe to hand between threads because the environment uses `MDB_NOTLS`.
    private struct Idle: @unchecked Sendable {
        let transaction: OpaquePointer
    }

    private let idle = Mutex<[Idle]>([])

    init(environment: OpaquePointer) {
        self.environment = environment
    }

    /// A read-only transaction on the latest committed snapshot.
    func acquire() throws(BackendError) -> OpaquePointer {
        if let transaction = idle.withLock({ $0.popLast() })?.transaction {
            if mdb_txn_renew(transaction) == MDB_SUCCESS {
                return transaction
            }
            mdb_txn_abort(transaction)
        }
        var transaction: OpaquePointer?
        try check(mdb_txn_begin(environment, nil, UInt32(MDB_RDONLY), &transaction), "mdb_txn_begin (read)")
        return transaction!
    }

    /// Ends `transaction`, keeping it for reuse when there is room.
    func release(_ transaction: OpaquePointer) {
        mdb_txn_reset(transaction)
        let kept = idle.withLock { idle -> Bool in
            guard idle.count < Self.maxIdleTransactions else { return false }
            idle.append(Idle(transaction: transaction))
            return true
        }
        if !kept {
            mdb_txn_abort(transaction)
        }
    }

    /// Aborts every idle transaction; called before the environment closes.
    func drain() {
        let transactions = idle.withLock { idle -> [Idle] in
            defer { idle.removeAll() }
            return idle
        }
        for entry in transactions {
            mdb_txn_abort(entry.transaction)
        }
    }
}
