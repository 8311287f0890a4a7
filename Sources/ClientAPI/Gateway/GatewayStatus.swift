import GRPCCore
import NIOHTTP1

/// How a gateway call failed: the gRPC code and message a gRPC client would have seen, and the HTTP status
/// etcd's gateway answers for that code.
struct GatewayStatus: Error, Equatable {
    var code: RPCError.Code
    var message: String

    init(code: RPCError.Code, message: String) {
        self.code = code
        self.message = message
    }

    /// The status grpc-swift would end the call with, had the service method thrown `error`: an `RPCError` as
    /// it is, an `RPCErrorConvertible` (such as `EtcdError`) converted, anything else `unknown`.
    init(_ error: any Error) {
        switch error {
        case let status as GatewayStatus:
            self = status
        case let rpc as RPCError:
            self.init(code: rpc.code, message: rpc.message)
        case let convertible as any RPCErrorConvertible:
            let rpc = RPCError(convertible)
            self.init(code: rpc.code, message: rpc.message)
        default:
            self.init(code: .unknown, message: "Service method threw an unknown error.")
        }
    }

    /// A request body the gateway could not turn into the request message.
    static func badRequest(_ message: String) -> GatewayStatus {
        GatewayStatus(code: .invalidArgument, message: message)
    }

    /// The HTTP status for the code, as grpc-gateway maps them.
    var httpStatus: HTTPResponseStatus {
        switch self.code {
        case .cancelled: .requestTimeout
        case .invalidArgument, .outOfRange: .badRequest
        case .deadlineExceeded: .gatewayTimeout
        case .notFound: .notFound
        case .alreadyExists, .aborted: .conflict
        case .permissionDenied: .forbidden
        case .unauthenticated: .unauthorized
        case .resourceExhausted: .tooManyRequests
        case .failedPrecondition: .preconditionFailed
        case .unimplemented: .notImplemented
        case .unavailable: .serviceUnavailable
        default: .internalServerError
        }
    }
}
