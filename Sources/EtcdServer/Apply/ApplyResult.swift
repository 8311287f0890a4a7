import EtcdProto
import MVCC
import SwiftProtobuf

/// What applying one proposal produced, handed to the member that proposed it. A request the state
/// machine refused (a compacted revision in a txn, an unknown lease) is a ``failure(_:)``: refused requests
/// change nothing, but they still took their place in the log.
@_spi(Testing) public enum ApplyResult: Sendable {
    case put(Etcdserverpb_PutResponse)
    case deleteRange(Etcdserverpb_DeleteRangeResponse)
    case txn(Etcdserverpb_TxnResponse)
    /// A compaction, with its physical work to wait on when the client asked for `physical`.
    case compaction(Etcdserverpb_CompactionResponse, CompactionTicket)
    case leaseGrant(Etcdserverpb_LeaseGrantResponse)
    case leaseRevoke(Etcdserverpb_LeaseRevokeResponse)
    case alarm(Etcdserverpb_AlarmResponse)
    /// A membership change was applied; the members as they are now.
    case membership([Etcdserverpb_Member])
    /// An auth management request was applied; its response (without header).
    case auth(any SwiftProtobuf.Message & Sendable)
    /// A request with nothing to answer (a lease checkpoint, a member publishing its attributes).
    case done
    case failure(EtcdError)
}
