import EtcdGRPC
import GRPCCore

/// Puts the client's current auth token on every call as gRPC metadata `token`, where etcd looks for it
/// (clientv3's per-RPC credentials). `Authenticate` itself goes without: etcd 3.4 refuses an
/// authentication that carries a stale token.
struct TokenInterceptor: ClientInterceptor {
    let store: TokenStore

    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingClientRequest<Input>,
        context: ClientContext,
        next: (StreamingClientRequest<Input>, ClientContext) async throws -> StreamingClientResponse<Output>
    ) async throws -> StreamingClientResponse<Output> {
        guard context.descriptor != Etcdserverpb_Auth.Method.Authenticate.descriptor, let token = self.store.token else {
            return try await next(request, context)
        }
        var request = request
        request.metadata.replaceOrAddString(token, forKey: "token")
        return try await next(request, context)
    }
}
