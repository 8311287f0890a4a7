import Backend
import EtcdProto
import Lease

/// A request MVCC rejects, with etcd's exact texts and the gRPC status code etcd answers with, or a
/// backend failure underneath it. A rejected request changes nothing.
///
/// `message` is the text of etcd's Go error value (what etcd logs and what the watch API uses as a
/// cancel reason); `grpcMessage` and `grpcCode` are what a gRPC client receives (`rpctypes/error.go`).
public struct KVError: Error, Sendable, Equatable, CustomStringConvertible {
    enum Kind: Sendable, Equatable {
        case compacted
        case futureRevision
        case emptyKey
        case valueProvided
        case leaseProvided
        case keyNotFound
        case leaseNotFound
        case leaseExists
        case leaseTTLTooLarge
        case duplicateKey
        case tooManyOperations
        case invalidSortOption
        case emptyWatcherRange
        case watcherNotFound
        case duplicateWatchID
        case closed
        case corrupt(String)
        case backend(BackendError)
        case lease(LeaseError)
    }

    let kind: Kind

    init(_ kind: Kind) {
        self.kind = kind
    }

    /// A read or watch below the compacted revision, or a compaction at or below it.
    public static let compacted = KVError(.compacted)
    /// A read, hash or compaction above the current revision.
    public static let futureRevision = KVError(.futureRevision)
    /// A request (or a txn compare) with an empty key.
    public static let emptyKey = KVError(.emptyKey)
    /// A put with `ignore_value` and a value.
    public static let valueProvided = KVError(.valueProvided)
    /// A put with `ignore_lease` and a lease.
    public static let leaseProvided = KVError(.leaseProvided)
    /// A put with `ignore_value` or `ignore_lease` on a missing key, or an empty op in a txn.
    public static let keyNotFound = KVError(.keyNotFound)
    /// A put with a lease that does not exist, or a revoke of one.
    public static let leaseNotFound = KVError(.leaseNotFound)
    /// A lease grant of an ID in use.
    public static let leaseExists = KVError(.leaseExists)
    /// A lease grant above the maximum TTL.
    public static let leaseTTLTooLarge = KVError(.leaseTTLTooLarge)
    /// A txn branch writing one key twice, or putting a key a delete in it covers.
    public static let duplicateKey = KVError(.duplicateKey)
    /// A txn with more compares or ops than `--max-txn-ops`.
    public static let tooManyOperations = KVError(.tooManyOperations)
    /// A range with an unknown sort order or target.
    public static let invalidSortOption = KVError(.invalidSortOption)
    /// A watch on an empty range (`range_end` not after `key`).
    public static let emptyWatcherRange = KVError(.emptyWatcherRange)
    /// A cancel of a watch ID the stream does not have.
    public static let watcherNotFound = KVError(.watcherNotFound)
    /// A watch with an explicit ID already used on its stream.
    public static let duplicateWatchID = KVError(.duplicateWatchID)
    /// The store or the watch stream is closed.
    public static let closed = KVError(.closed)

    /// The key database holds a value that is not an encoded `KeyValue`.
    static func corrupt(_ detail: String) -> KVError {
        KVError(.corrupt(detail))
    }

    /// A backend failure; `BackendError.mapFull` is the one the server handles (NOSPACE).
    public static func backend(_ error: BackendError) -> KVError {
        KVError(.backend(error))
    }

    /// The backend error behind this one, if any.
    public var backendError: BackendError? {
        switch kind {
        case .backend(let error): error
        case .lease(let error): error.backendError
        default: nil
        }
    }

    /// True when the key database holds a record that cannot be decoded.
    public var isCorruption: Bool {
        if case .corrupt = kind { return true }
        return false
    }

    /// The text of etcd's Go error value.
    public var message: String {
        switch kind {
        case .compacted: "mvcc: required revision has been compacted"
        case .futureRevision: "mvcc: required revision is a future revision"
        case .emptyKey: "etcdserver: key is not provided"
        case .valueProvided: "etcdserver: value is provided"
        case .leaseProvided: "etcdserver: lease is provided"
        case .keyNotFound: "etcdserver: key not found"
        case .leaseNotFound: "lease not found"
        case .leaseExists: "lease already exists"
        case .leaseTTLTooLarge: "too large lease TTL"
        case .duplicateKey: "etcdserver: duplicate key given in txn request"
        case .tooManyOperations: "etcdserver: too many operations in txn request"
        case .invalidSortOption: "etcdserver: invalid sort option"
        case .emptyWatcherRange: "mvcc: watcher range is empty"
        case .watcherNotFound: "mvcc: watcher does not exist"
        case .duplicateWatchID: "mvcc: duplicate watch ID provided on the WatchStream"
        case .closed: "mvcc: closed"
        case .corrupt(let detail): "mvcc: corrupt key database: \(detail)"
        case .backend(let error): error.description
        case .lease(let error): error.message
        }
    }

    /// The status message a gRPC client receives.
    public var grpcMessage: String {
        switch kind {
        case .compacted: "etcdserver: mvcc: required revision has been compacted"
        case .futureRevision: "etcdserver: mvcc: required revision is a future revision"
        case .leaseNotFound: "etcdserver: requested lease not found"
        case .leaseExists: "etcdserver: lease already exists"
        case .leaseTTLTooLarge: "etcdserver: too large lease TTL"
        case .emptyWatcherRange, .watcherNotFound, .duplicateWatchID, .closed: message
        case .corrupt: "etcdserver: " + message
        case .backend(let error): error.grpcMessage
        case .lease(let error): error.grpcMessage
        default: message
        }
    }

    /// The gRPC status code etcd answers with.
    public var grpcCode: EtcdError.Code {
        switch kind {
        case .compacted, .futureRevision, .leaseTTLTooLarge: .outOfRange
        case .emptyKey, .valueProvided, .leaseProvided, .keyNotFound, .duplicateKey, .tooManyOperations,
             .invalidSortOption, .emptyWatcherRange, .duplicateWatchID:
            .invalidArgument
        case .leaseNotFound, .watcherNotFound: .notFound
        case .leaseExists: .failedPrecondition
        case .closed: .unavailable
        case .corrupt: .dataLoss
        case .backend(let error): error.grpcCode
        case .lease(let error): error.grpcCode
        }
    }

    public var description: String { message }

    /// The KV error for a lease error: etcd's lease errors keep their identity across the layers.
    init(lease error: LeaseError) {
        switch error {
        case .notFound: self = .leaseNotFound
        case .alreadyExists: self = .leaseExists
        case .ttlTooLarge: self = .leaseTTLTooLarge
        default: self = KVError(.lease(error))
        }
    }
}
