import Auth
import Synchronization

/// The simple tokens this member knows (``Auth/SimpleTokens``): registered when an Authenticate entry is
/// applied, so every member of the cluster has the same ones; dropped when unused for the TTL, when their
/// user is deleted or changes password, and when auth is disabled. Kept in memory only, as etcd keeps
/// them: after a restart clients get "invalid auth token" and authenticate again.
///
/// Threading: registered and revoked on the apply thread; looked up from any thread.
final class AuthTokens: Sendable {
    private struct State {
        var tokens: SimpleTokens
        var lastSweep: ContinuousClock.Instant
    }

    private let state: Mutex<State>

    init(ttl: Duration) {
        self.state = Mutex(State(tokens: SimpleTokens(ttl: ttl), lastSweep: .now))
    }

    /// Registers `token` for `user`, first dropping expired tokens when a second has passed since the last
    /// sweep (etcd sweeps every second).
    func assign(_ token: String, to user: String) {
        let now = ContinuousClock.now
        self.state.withLock { state in
            if now - state.lastSweep >= .seconds(1) {
                state.tokens.expire(now: now)
                state.lastSweep = now
            }
            state.tokens.assign(token, to: user, now: now)
        }
    }

    /// The user `token` names, restarting its TTL; nil when unknown or expired.
    func user(for token: String) -> String? {
        self.state.withLock { $0.tokens.user(for: token, now: .now) }
    }

    /// Drops `user`'s tokens.
    func revoke(user: String) {
        self.state.withLock { $0.tokens.revoke(user: user) }
    }

    /// Drops every token.
    func revokeAll() {
        self.state.withLock { $0.tokens.revokeAll() }
    }

    /// How many tokens are live.
    var count: Int { self.state.withLock { $0.tokens.count } }
}
