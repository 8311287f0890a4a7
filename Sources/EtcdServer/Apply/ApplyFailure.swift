import Backend
import EtcdProto
import Lease
import MVCC

/// What an error raised while applying a committed entry means for the member. A refusal (a compacted
/// revision, an unknown lease) depends only on the replicated state, so every member refuses the request
/// alike: it changes nothing and goes back to its proposer. Anything else is this member's own trouble: a
/// backend I/O failure, an undecodable record, or LMDB's map running full (which depends on this member's
/// file: free pages held by its readers, its defragmentations). Answering differently from the other
/// members while its consistent index moves past the entry would fork the cluster, so the member stops,
/// as etcd panics when its backend fails; the quota's NOSPACE alarm is what keeps writes from getting there.
@_spi(Testing) public enum ApplyFailure: Equatable, Sendable {
    /// The request is refused with this error, on every member.
    case refused(EtcdError)
    /// The member must stop; the reason is logged.
    case fatal(String)

    /// How `error` from applying a request is handled.
    public static func classify(_ error: any Error) -> ApplyFailure {
        switch error {
        case let error as KVError:
            if let backend = error.backendError {
                return .fatal("backend failure while applying: \(backend)")
            }
            if error.isCorruption || error == .closed {
                return .fatal("store failure while applying: \(error)")
            }
            return .refused(EtcdError(error))
        case let error as EtcdError:
            return .refused(error)
        default:
            return .fatal("unexpected failure while applying: \(error)")
        }
    }
}
