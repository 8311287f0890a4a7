import CLMDB
import EtcdProto

/// A failure of the LMDB backend.
///
/// `mapFull` is the one operating error the server is expected to handle (it means the memory map, sized
/// from the quota plus headroom, has no free page left): the write that hit it changed nothing, the
/// backend stays usable, and the server answers with etcd's no-space error. Every other kind is an I/O or
/// environment failure that the caller should treat as fatal.
public struct BackendError: Error, Sendable, Equatable, CustomStringConvertible {
    enum Kind: Equatable, Sendable {
        case mapFull
        case readersFull
        case closed
        case lmdb(code: Int32, operation: String)
        case invalidConfiguration(String)
    }

    let kind: Kind

    init(_ kind: Kind) {
        self.kind = kind
    }

    /// The memory map has no room for the pages a write needs (LMDB's `MDB_MAP_FULL`). Nothing of the
    /// failed write is visible or persisted; freeing space (compaction, then defragmentation) or a larger
    /// quota is the way out.
    public static let mapFull = BackendError(.mapFull)

    /// Every reader slot of the environment is taken (LMDB's `MDB_READERS_FULL`); retry when readers end.
    public static let readersFull = BackendError(.readersFull)

    /// The backend was closed (a follower replaced it with the leader's snapshot, or the member is
    /// stopping): a reader that raced with the close retries on the backend that replaced it.
    public static let closed = BackendError(.closed)

    /// True when this is `mapFull`.
    public var isMapFull: Bool { kind == .mapFull }

    /// The LMDB return code behind the failure, when there is one.
    public var lmdbCode: Int32? {
        switch kind {
        case .mapFull: MDB_MAP_FULL
        case .readersFull: MDB_READERS_FULL
        case .lmdb(let code, _): code
        case .closed, .invalidConfiguration: nil
        }
    }

    /// The gRPC status code etcd answers with: `mapFull` is reported like etcd's quota error.
    public var grpcCode: EtcdError.Code {
        switch kind {
        case .mapFull: .resourceExhausted
        case .readersFull, .closed: .unavailable
        case .lmdb, .invalidConfiguration: .internalError
        }
    }

    /// The message a client sees over gRPC.
    public var grpcMessage: String {
        switch kind {
        case .mapFull: "etcdserver: mvcc: database space exceeded"
        default: "etcdserver: " + description
        }
    }

    public var description: String {
        switch kind {
        case .mapFull:
            "backend: LMDB map is full (MDB_MAP_FULL); the write was rolled back"
        case .readersFull:
            "backend: all LMDB reader slots are in use (MDB_READERS_FULL)"
        case .closed:
            "backend: closed"
        case .lmdb(let code, let operation):
            "backend: \(operation) failed: \(String(cString: mdb_strerror(code))) (\(code))"
        case .invalidConfiguration(let reason):
            "backend: invalid configuration: \(reason)"
        }
    }

    /// Maps an LMDB return code of `operation` to an error; `rc` must not be `MDB_SUCCESS`.
    static func lmdb(_ rc: Int32, _ operation: String) -> BackendError {
        precondition(rc != MDB_SUCCESS, "an LMDB success code is not an error")
        switch rc {
        case MDB_MAP_FULL: return .mapFull
        case MDB_READERS_FULL: return .readersFull
        default: return BackendError(.lmdb(code: rc, operation: operation))
        }
    }
}

/// Throws the error for a failed LMDB call.
@inline(__always)
func check(_ rc: Int32, _ operation: @autoclosure () -> String) throws(BackendError) {
    if rc != MDB_SUCCESS {
        throw BackendError.lmdb(rc, operation())
    }
}
