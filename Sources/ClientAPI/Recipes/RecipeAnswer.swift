import EtcdProto

/// How failures leave the Lock and Election services. etcd runs them on an in-process clientv3, which turns the
/// member's errors into values that carry no gRPC status; gRPC then sends each with code Unknown and its
/// message (`etcdserver: requested lease not found`, `election: no leader`). This does the same.
enum RecipeAnswer {
    /// The result of `body`, or its failure with code Unknown and the failure's message.
    static func run<T>(_ body: () async throws -> T) async throws(EtcdError) -> T {
        do {
            return try await body()
        } catch let error as EtcdError {
            throw EtcdError(.unknown, error.message)
        } catch is CancellationError {
            throw EtcdError(.unknown, "context canceled")
        } catch {
            throw EtcdError(.unknown, "\(error)")
        }
    }
}
