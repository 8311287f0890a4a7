import CLMDB

/// A consistent, read-only snapshot of the backend: the last LMDB commit overlaid with every write the
/// apply thread had published when the view opened (see `Backend.read()`).
///
/// Threading: a view may move between threads (LMDB runs with `MDB_NOTLS`) but must be used by one
/// thread at a time. It holds an LMDB reader slot until `close()` or deinit; long-lived views keep
/// LMDB from reusing the pages of their snapshot, so close them promptly.
public final class ReadView {
    private let backend: Backend
    private var transaction: OpaquePointer?
    private let buffer: WriteBuffer
    private let sequence: UInt64

    init(backend: Backend, transaction: OpaquePointer, buffer: WriteBuffer, sequence: UInt64) {
        self.backend = backend
        self.transaction = transaction
        self.buffer = buffer
        self.sequence = sequence
    }

    deinit {
        close()
    }

    /// Ends the view and frees its reader slot. Idempotent; the view cannot be used afterwards.
    public func close() {
        if let transaction {
            self.transaction = nil
            backend.releaseView(transaction)
        }
    }

    /// Calls `body` with the value stored under `key`, or nil when there is none. The buffer passed to
    /// `body` is valid only during the call.
    public func withValue<R>(
        _ database: Database, _ key: [UInt8], _ body: (UnsafeRawBufferPointer?) -> R
    ) throws(BackendError) -> R {
        // Sequence 0: nothing had been applied since the last commit when the view opened.
        guard sequence > 0 else {
            return try LMDBAccess.withValue(openTransaction(), database.dbi, key, body)
        }
        switch buffer.lookup(slot: database.slot, key: key, at: sequence) {
        case .value(let value):
            return value.withUnsafeBytes { body($0) }
        case .deleted:
            return body(nil)
        case .notBuffered:
            return try LMDBAccess.withValue(openTransaction(), database.dbi, key, body)
        }
    }

    /// The value stored under `key`, copied, or nil when there is none.
    public func get(_ database: Database, _ key: [UInt8]) throws(BackendError) -> [UInt8]? {
        try withValue(database, key) { $0.map { Array($0) } }
    }

    /// Calls `body` with each key and value in `[start, end)` (`end == nil`: to the last key) in key
    /// order until it returns false. The buffers are valid only during each call.
    public func scan(
        _ database: Database, from start: [UInt8] = [], to end: [UInt8]? = nil,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> Bool
    ) throws(BackendError) {
        let buffered = sequence > 0 ? buffer.entries(slot: database.slot, from: start, to: end, at: sequence) : []
        if buffered.isEmpty {
            try LMDBAccess.scan(openTransaction(), database.dbi, from: start, to: end, body)
            return
        }
        try MergedScan.run(
            transaction: openTransaction(), dbi: database.dbi, buffered: buffered, from: start, to: end, body)
    }

    /// The last key of `database` in the snapshot, copied, or nil when it is empty.
    public func lastKey(_ database: Database) throws(BackendError) -> [UInt8]? {
        let cursor = try LMDBCursor(transaction: openTransaction(), dbi: database.dbi)
        let committed = try cursor.last().map { Array($0.key) }
        let buffered = buffer.entries(slot: database.slot, from: committed ?? [], to: nil, at: sequence)
        if let newest = buffered.last(where: { $0.1 != nil }) {
            return newest.0
        }
        guard let committed else { return nil }
        if buffered.contains(where: { $0.0 == committed && $0.1 == nil }) {
            var last: [UInt8]?
            try scan(database) { key, _ in
                last = Array(key)
                return true
            }
            return last
        }
        return committed
    }

    /// The number of entries of `database` in the last commit (LMDB's `ms_entries`); writes not yet
    /// committed are not counted.
    public func committedEntryCount(_ database: Database) throws(BackendError) -> Int {
        var stat = MDB_stat()
        try check(mdb_stat(openTransaction(), database.dbi, &stat), "mdb_stat")
        return stat.ms_entries
    }

    /// The names of the named databases in the snapshot, in LMDB's (byte) order.
    func databaseNames() throws(BackendError) -> [String] {
        var names: [String] = []
        try LMDBAccess.scan(openTransaction(), 1, from: [], to: nil) { key, _ in
            names.append(String(decoding: key, as: UTF8.self))
            return true
        }
        return names
    }

    /// The LMDB transaction of the view; using a closed view is a programming error.
    func openTransaction() -> OpaquePointer {
        guard let transaction else {
            preconditionFailure("ReadView used after close()")
        }
        return transaction
    }
}

/// Merges a database's committed entries with the write buffer's entries for the same key range.
enum MergedScan {
    static func run(
        transaction: OpaquePointer, dbi: MDB_dbi, buffered: [([UInt8], [UInt8]?)], from start: [UInt8],
        to end: [UInt8]?, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Bool
    ) throws(BackendError) {
        let cursor = try LMDBCursor(transaction: transaction, dbi: dbi)
        var committed = try cursor.seek(start)
        var index = 0
        while true {
            if let current = committed, let end, end.withUnsafeBytes({ Bytes.compare(current.key, $0) }) >= 0 {
                committed = nil
            }
            let pending = index < buffered.count ? buffered[index] : nil
            guard committed != nil || pending != nil else { return }
            let order: Int
            if let current = committed, let pending {
                order = pending.0.withUnsafeBytes { Bytes.compare(current.key, $0) }
            } else {
                order = committed == nil ? 1 : -1
            }
            if order < 0 {
                if !body(committed!.key, committed!.value) {
                    return
                }
                committed = try cursor.next()
                continue
            }
            if order == 0 {
                committed = try cursor.next()
            }
            index += 1
            guard let value = pending!.1 else { continue }
            let proceed = pending!.0.withUnsafeBytes { key in value.withUnsafeBytes { body(key, $0) } }
            if !proceed {
                return
            }
        }
    }
}
