import Backend
import EtcdProto

/// A lease operation etcd rejects, with etcd's messages and gRPC code, or a backend failure.
public struct LeaseError: Error, Sendable, Equatable, CustomStringConvertible {
    enum Kind: Equatable, Sendable {
        case notFound
        case alreadyExists
        case ttlTooLarge
        case backend(BackendError)
        case corruptRecord(id: [UInt8])
    }

    let kind: Kind

    init(_ kind: Kind) {
        self.kind = kind
    }

    /// The lease does not exist (etcd's `lease.ErrLeaseNotFound`); also a grant of lease ID 0.
    public static let notFound = LeaseError(.notFound)
    /// A grant of an ID that is in use (`lease.ErrLeaseExists`).
    public static let alreadyExists = LeaseError(.alreadyExists)
    /// A grant above `LeaseIndex.maxTTLSeconds` (`lease.ErrLeaseTTLTooLarge`).
    public static let ttlTooLarge = LeaseError(.ttlTooLarge)

    /// A backend failure under the lease operation (for example `BackendError.mapFull`).
    public static func backend(_ error: BackendError) -> LeaseError {
        LeaseError(.backend(error))
    }

    /// The backend error behind this one, if any.
    public var backendError: BackendError? {
        if case .backend(let error) = kind {
            return error
        }
        return nil
    }

    /// etcd's internal error text (`lease/lessor.go`).
    public var message: String {
        switch kind {
        case .notFound: "lease not found"
        case .alreadyExists: "lease already exists"
        case .ttlTooLarge: "too large lease TTL"
        case .backend(let error): error.description
        case .corruptRecord(let id): "lease: cannot decode the lease record with key \(id)"
        }
    }

    /// The message a client sees over gRPC (`rpctypes/error.go`).
    public var grpcMessage: String {
        switch kind {
        case .notFound: "etcdserver: requested lease not found"
        case .alreadyExists: "etcdserver: lease already exists"
        case .ttlTooLarge: "etcdserver: too large lease TTL"
        case .backend(let error): error.grpcMessage
        case .corruptRecord: "etcdserver: " + message
        }
    }

    /// The gRPC status code etcd answers with.
    public var grpcCode: EtcdError.Code {
        switch kind {
        case .notFound: .notFound
        case .alreadyExists: .failedPrecondition
        case .ttlTooLarge: .outOfRange
        case .backend(let error): error.grpcCode
        case .corruptRecord: .dataLoss
        }
    }

    public var description: String { message }
}
