import EtcdProto
import GRPCCore

/// Lets services throw `EtcdError` directly: grpc-swift ends the call with etcd's code and message.
extension EtcdError: RPCErrorConvertible {
    public var rpcErrorCode: RPCError.Code {
        Status.Code(rawValue: self.code.rawValue).flatMap(RPCError.Code.init) ?? .unknown
    }

    public var rpcErrorMessage: String { self.message }
}
