import Dispatch

/// Runs blocking work (sockets, child processes, pipes) on a Dispatch queue, away from Swift's
/// cooperative thread pool, which has only as many threads as cores and must never be blocked.
public func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try body() })
        }
    }
}
