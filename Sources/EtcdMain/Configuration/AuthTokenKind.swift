import Membership

/// The token provider `--auth-token` names, parsed as etcd parses it: a type, then `,key=value` options.
public enum AuthTokenKind: Sendable, Equatable {
    /// etcd's default: random tokens registered through the log, each living `--auth-token-ttl` unused.
    case simple
    /// No provider (an empty type): every Authenticate fails.
    case none

    /// Parses the flag's value; etcd's "auth: invalid auth options" for a malformed option list or an
    /// unknown type, and a clear refusal for `jwt`, which this member does not sign yet.
    public init(parsing text: String) throws(ConfigurationError) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        var seen: Set<Substring> = []
        for option in parts.dropFirst() {
            let pair = option.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2, seen.insert(pair[0]).inserted else { throw Self.invalid }
        }
        switch parts.first ?? "" {
        case "simple": self = .simple
        case "": self = .none
        case "jwt": throw ConfigurationError("--auth-token jwt is not supported by this member yet; use --auth-token simple")
        default: throw Self.invalid
        }
    }

    private static let invalid = ConfigurationError("auth: invalid auth options")
}
