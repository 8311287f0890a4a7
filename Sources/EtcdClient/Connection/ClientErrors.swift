import EtcdProto
import GRPCCore

extension EtcdError {
    /// clientv3's error when a client is given no endpoint.
    public static let noAvailableEndpoints = EtcdError(.unavailable, "etcdclient: no available endpoints")
    /// A call that ran out of time, as Go's context reports it (and etcdctl prints it).
    public static let contextDeadlineExceeded = EtcdError(.deadlineExceeded, "context deadline exceeded")
    /// A call its caller cancelled, as Go's context reports it.
    public static let contextCanceled = EtcdError(.canceled, "context canceled")

    /// The error a client call failed with, as an `EtcdError`: the member's code and message unchanged, and
    /// the client's own timeouts and cancellations in Go's words.
    init(clientFailure error: any Error) {
        switch error {
        case let error as EtcdError:
            self = error
        case let error as RPCError:
            switch error.code {
            case .deadlineExceeded where error.message == "RPC timed out before completing":
                self = .contextDeadlineExceeded
            case .cancelled where !error.message.hasPrefix("etcdserver"):
                self = .contextCanceled
            default:
                self.init(Code(rawValue: error.code.rawValue) ?? .unknown, error.message)
            }
        case is DialTimedOut:
            self = .contextDeadlineExceeded
        case is CancellationError:
            self = .contextCanceled
        default:
            self.init(.unknown, "\(error)")
        }
    }

    /// Whether a call that failed with `error` certainly never reached a member: the connection did not
    /// exist, so no request was written.
    static func neverSent(_ error: any Error) -> Bool {
        guard let error = error as? RPCError, error.code == .unavailable else { return false }
        return error.message.hasPrefix("Channel is in a transient failure state")
            || error.message.hasPrefix("Could not establish a connection")
    }
}
