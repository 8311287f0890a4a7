import CLMDB

/// A key and value borrowed from LMDB's memory map (or from a write transaction's dirty pages): valid
/// only until the next operation on the cursor or transaction that produced it.
typealias BorrowedEntry = (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)

/// An LMDB cursor over one database of one transaction, closed when released.
final class LMDBCursor {
    private let cursor: OpaquePointer

    init(transaction: OpaquePointer, dbi: MDB_dbi) throws(BackendError) {
        var cursor: OpaquePointer?
        try check(mdb_cursor_open(transaction, dbi, &cursor), "mdb_cursor_open")
        self.cursor = cursor!
    }

    deinit {
        mdb_cursor_close(cursor)
    }

    /// Positions at the first key not less than `key`.
    func seek(_ key: [UInt8]) throws(BackendError) -> BorrowedEntry? {
        if key.isEmpty {
            return try move(MDB_FIRST)
        }
        var keyValue = MDB_val()
        var dataValue = MDB_val()
        let rc = key.withUnsafeBytes { bytes in
            keyValue = MDB_val(mv_size: bytes.count, mv_data: UnsafeMutableRawPointer(mutating: bytes.baseAddress))
            return mdb_cursor_get(cursor, &keyValue, &dataValue, MDB_SET_RANGE)
        }
        return try entry(rc, keyValue, dataValue)
    }

    /// Positions at the last key.
    func last() throws(BackendError) -> BorrowedEntry? {
        try move(MDB_LAST)
    }

    /// Moves to the next key.
    func next() throws(BackendError) -> BorrowedEntry? {
        try move(MDB_NEXT)
    }

    private func move(_ operation: MDB_cursor_op) throws(BackendError) -> BorrowedEntry? {
        var keyValue = MDB_val()
        var dataValue = MDB_val()
        let rc = mdb_cursor_get(cursor, &keyValue, &dataValue, operation)
        return try entry(rc, keyValue, dataValue)
    }

    private func entry(_ rc: Int32, _ key: MDB_val, _ value: MDB_val) throws(BackendError) -> BorrowedEntry? {
        if rc == MDB_NOTFOUND {
            return nil
        }
        try check(rc, "mdb_cursor_get")
        return (UnsafeRawBufferPointer(start: key.mv_data, count: key.mv_size),
                UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size))
    }
}

/// Direct LMDB access within one transaction (a read-only snapshot or the batch's write transaction).
enum LMDBAccess {
    /// Calls `body` with the value of `key`, or nil when the key is absent.
    static func withValue<R>(
        _ transaction: OpaquePointer, _ dbi: MDB_dbi, _ key: [UInt8], _ body: (UnsafeRawBufferPointer?) -> R
    ) throws(BackendError) -> R {
        var dataValue = MDB_val()
        let rc = key.withUnsafeBytes { bytes -> Int32 in
            var keyValue = MDB_val(mv_size: bytes.count, mv_data: UnsafeMutableRawPointer(mutating: bytes.baseAddress))
            return mdb_get(transaction, dbi, &keyValue, &dataValue)
        }
        if rc == MDB_NOTFOUND {
            return body(nil)
        }
        try check(rc, "mdb_get")
        return body(UnsafeRawBufferPointer(start: dataValue.mv_data, count: dataValue.mv_size))
    }

    /// Calls `body` for each entry with a key in `[start, end)` in key order until it returns false.
    static func scan(
        _ transaction: OpaquePointer, _ dbi: MDB_dbi, from start: [UInt8], to end: [UInt8]?,
        _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Bool
    ) throws(BackendError) {
        let cursor = try LMDBCursor(transaction: transaction, dbi: dbi)
        var entry = try cursor.seek(start)
        while let current = entry {
            if let end, end.withUnsafeBytes({ Bytes.compare(current.key, $0) }) >= 0 {
                return
            }
            if !body(current.key, current.value) {
                return
            }
            entry = try cursor.next()
        }
    }

    /// Applies one mutation to a write transaction. Deleting a missing key succeeds.
    static func apply(_ transaction: OpaquePointer, _ dbi: MDB_dbi, key: [UInt8], value: [UInt8]?, append: Bool) -> Int32 {
        key.withUnsafeBytes { keyBytes -> Int32 in
            var keyValue = MDB_val(mv_size: keyBytes.count, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
            guard let value else {
                let rc = mdb_del(transaction, dbi, &keyValue, nil)
                return rc == MDB_NOTFOUND ? MDB_SUCCESS : rc
            }
            return value.withUnsafeBytes { valueBytes -> Int32 in
                var dataValue = MDB_val(
                    mv_size: valueBytes.count, mv_data: UnsafeMutableRawPointer(mutating: valueBytes.baseAddress))
                return mdb_put(transaction, dbi, &keyValue, &dataValue, append ? UInt32(MDB_APPEND) : 0)
            }
        }
    }
}
