import CLMDB

/// A handle to one named database of a `Backend`, obtained from `Backend.database(_:)`.
///
/// Handles are plain values, valid for the lifetime of the backend that issued them.
public struct Database: Sendable, Hashable, CustomStringConvertible {
    /// The database name (etcd's bucket name).
    public let name: String
    /// LMDB's handle.
    let dbi: MDB_dbi
    /// Position of the database in the backend's list, used to index the write buffer's tables.
    let slot: Int

    public var description: String { name }
}

/// One write to a database: a put of a value or a delete of a key.
public struct Mutation: Sendable {
    /// What the mutation does to its key.
    public enum Operation: Sendable, Equatable {
        /// Store `value` under the key, replacing what was there.
        case put([UInt8])
        /// Remove the key; removing a missing key is not an error.
        case delete
    }

    /// The database written.
    public let database: Database
    /// The key written.
    public let key: [UInt8]
    /// The write itself.
    public let operation: Operation
    /// True when the key is known to sort after every key of the database (revision keys do): LMDB
    /// then appends without searching (`MDB_APPEND`).
    public let isAppend: Bool

    /// A put of `value` under `key`. Pass `appending: true` only when `key` sorts after every key in
    /// `database`, otherwise the write fails.
    public static func put(_ database: Database, key: [UInt8], value: [UInt8], appending: Bool = false) -> Mutation {
        Mutation(database: database, key: key, operation: .put(value), isAppend: appending)
    }

    /// A delete of `key`.
    public static func delete(_ database: Database, key: [UInt8]) -> Mutation {
        Mutation(database: database, key: key, operation: .delete, isAppend: false)
    }

    /// Bytes the mutation adds to a write transaction (key plus value), for the batch size limit.
    var byteCount: Int {
        switch operation {
        case .put(let value): key.count + value.count
        case .delete: key.count
        }
    }
}
