/// etcd's `simple` token provider: a token is 16 random letters, a dot, and the log index of the
/// Authenticate entry that registered it (so every member registers the same token); it names a user until
/// it has gone unused for the TTL (each use restarts the clock), its user is deleted or changes password,
/// or auth is disabled. The member sweeps expired tokens every second.
public struct SimpleTokens: Sendable {
    /// etcd's default `--auth-token-ttl`, used for any TTL of zero or less.
    public static let defaultTTL = Duration.seconds(300)
    private static let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")

    private struct Entry: Sendable {
        var user: String
        var expires: ContinuousClock.Instant
    }

    public let ttl: Duration
    private var tokens: [String: Entry] = [:]

    public init(ttl: Duration = Self.defaultTTL) {
        self.ttl = ttl > .zero ? ttl : Self.defaultTTL
    }

    /// The random part of a new token, made where the Authenticate request arrives.
    public static func makePrefix() -> String {
        String((0..<16).map { _ in Self.letters.randomElement()! })
    }

    /// The whole token: the prefix and the index of the entry that registered it.
    public static func token(prefix: String, index: UInt64) -> String {
        "\(prefix).\(index)"
    }

    /// The log index a token carries (the member waits until it has applied that index before it looks
    /// the token up); nil for anything not shaped like a simple token.
    public static func index(of token: String) -> UInt64? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty else { return nil }
        return UInt64(parts[1])
    }

    /// Registers `token` for `user` (applying Authenticate).
    public mutating func assign(_ token: String, to user: String, now: ContinuousClock.Instant) {
        self.tokens[token] = Entry(user: user, expires: now + self.ttl)
    }

    /// The user `token` names, restarting its TTL; nil for an unknown or expired token.
    public mutating func user(for token: String, now: ContinuousClock.Instant) -> String? {
        guard var entry = self.tokens[token], entry.expires > now else { return nil }
        entry.expires = now + self.ttl
        self.tokens[token] = entry
        return entry.user
    }

    /// Drops every token of `user` (deleted, or its password changed).
    public mutating func revoke(user: String) {
        self.tokens = self.tokens.filter { $0.value.user != user }
    }

    /// Drops every token (auth disabled).
    public mutating func revokeAll() {
        self.tokens.removeAll()
    }

    /// Drops the tokens unused for their TTL.
    public mutating func expire(now: ContinuousClock.Instant) {
        self.tokens = self.tokens.filter { $0.value.expires > now }
    }

    /// How many tokens are live.
    public var count: Int { self.tokens.count }
}
