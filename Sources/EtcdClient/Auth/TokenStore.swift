import EtcdProto
import Synchronization

/// The auth token a client's calls carry, and the one authentication in flight. Callers that find no
/// token, or that saw their token refused, share a single authentication (single-flight): the first
/// starts it, the others wait for its outcome. Each completed authentication bumps ``generation``, so a
/// caller whose token was refused can tell whether someone else already replaced it.
final class TokenStore: Sendable {
    /// Authenticates once: the new token, nil when the member has authentication disabled (calls then go
    /// without one), or the failure.
    typealias Authenticate = @Sendable () async -> Result<String?, EtcdError>

    private struct State {
        var token: String?
        /// Authentications completed so far.
        var generation = 0
        /// Whether an authentication has completed since the last failure (or the start).
        var settled = false
        var pending: Task<Result<Void, EtcdError>, Never>?
    }

    private let state = Mutex(State())

    /// The token to send, nil while there is none.
    var token: String? { self.state.withLock { $0.token } }

    /// Authentications completed so far; a caller notes it before a call, to hand to ``renew(after:clearing:_:)``.
    var generation: Int { self.state.withLock { $0.generation } }

    /// Makes sure an authentication has completed, running `authenticate` (or waiting for the one in
    /// flight) if not; throws its failure.
    func settle(_ authenticate: @escaping Authenticate) async throws(EtcdError) {
        guard let task = self.task(refreshing: nil, clearing: false, authenticate) else { return }
        try await task.value.get()
    }

    /// Replaces the token of generation `seen`: authenticates again unless another caller already did since
    /// (or is doing so now, which this waits for). `clearing` drops the refused token at once, as clientv3
    /// does before it re-authenticates after a refusal; a stream about to open keeps it for calls in flight.
    func renew(after seen: Int, clearing: Bool, _ authenticate: @escaping Authenticate) async throws(EtcdError) {
        guard let task = self.task(refreshing: seen, clearing: clearing, authenticate) else { return }
        try await task.value.get()
    }

    /// The authentication to wait for, starting one when needed; nil when the caller can go on.
    private func task(
        refreshing seen: Int?,
        clearing: Bool,
        _ authenticate: @escaping Authenticate
    ) -> Task<Result<Void, EtcdError>, Never>? {
        self.state.withLock { state in
            if let pending = state.pending { return pending }
            if state.settled, seen == nil || state.generation != seen { return nil }
            if clearing { state.token = nil }
            let task = Task { () -> Result<Void, EtcdError> in
                let outcome = await authenticate()
                self.finish(outcome)
                return outcome.map { _ in () }
            }
            state.pending = task
            return task
        }
    }

    private func finish(_ outcome: Result<String?, EtcdError>) {
        self.state.withLock { state in
            state.pending = nil
            switch outcome {
            case .success(let token):
                state.token = token
                state.generation += 1
                state.settled = true
            case .failure:
                state.settled = false
            }
        }
    }
}
