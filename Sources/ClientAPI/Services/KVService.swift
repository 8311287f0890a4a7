import EtcdGRPC
import EtcdProto
import EtcdServer
import GRPCCore

/// etcd's `KV` service on the member.
public struct KVService: Etcdserverpb_KV.SimpleServiceProtocol {
    private let server: EtcdServer

    /// A service answering from `server`.
    public init(server: EtcdServer) {
        self.server = server
    }

    public func range(request: Etcdserverpb_RangeRequest, context: ServerContext) async throws -> Etcdserverpb_RangeResponse {
        try await self.server.range(request)
    }

    /// etcd's `Range` answered with its serialized response, the key-values as stored (the gRPC method's
    /// handler; ``range(request:context:)`` is the typed form).
    public func serializedRange(request: Etcdserverpb_RangeRequest, context: ServerContext) async throws -> [UInt8] {
        try await self.server.serializedRange(request)
    }

    public func put(request: Etcdserverpb_PutRequest, context: ServerContext) async throws -> Etcdserverpb_PutResponse {
        try await self.server.put(request)
    }

    public func deleteRange(
        request: Etcdserverpb_DeleteRangeRequest,
        context: ServerContext
    ) async throws -> Etcdserverpb_DeleteRangeResponse {
        try await self.server.deleteRange(request)
    }

    public func txn(request: Etcdserverpb_TxnRequest, context: ServerContext) async throws -> Etcdserverpb_TxnResponse {
        try await self.server.txn(request)
    }

    public func compact(
        request: Etcdserverpb_CompactionRequest,
        context: ServerContext
    ) async throws -> Etcdserverpb_CompactionResponse {
        try await self.server.compact(request)
    }
}
