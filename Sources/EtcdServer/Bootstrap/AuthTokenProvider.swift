import Auth

/// The token provider `--auth-token` chose: what Authenticate hands out and how a request's token names
/// its caller.
public enum AuthTokenProvider: Sendable {
    /// etcd's default: random tokens registered through the log on every member, each living
    /// ``ServerConfiguration/authTokenTTL`` unused; kept in memory only, so a restarted member forgets them.
    case simple
    /// No provider (an empty `--auth-token`): every Authenticate fails.
    case none
    /// Signed tokens any member with the key verifies, surviving restarts until they expire.
    case jwt(JWTTokens)
}
