import Auth
import Membership

/// The token provider `--auth-token` names, parsed as etcd parses it: a type, then `,key=value` options.
public enum AuthTokenKind: Sendable {
    /// etcd's default: random tokens registered through the log, each living `--auth-token-ttl` unused.
    case simple
    /// No provider (an empty type): every Authenticate fails.
    case none
    /// Signed JWTs, with the keys already read from their files.
    case jwt(JWTTokenOptions)

    /// Parses the flag's value, reading a `jwt` provider's key files: etcd's "auth: invalid auth options"
    /// for an option that is not one `key=value`, a repeated key, an unknown type, or a `jwt` option etcd
    /// would refuse (see ``JWTTokenOptions``).
    public init(parsing text: String) throws(ConfigurationError) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        var options: [String: String] = [:]
        for option in parts.dropFirst() {
            let pair = option.split(separator: "=", omittingEmptySubsequences: false)
            guard pair.count == 2, options[String(pair[0])] == nil else { throw .invalidAuthOptions }
            options[String(pair[0])] = String(pair[1])
        }
        switch parts.first ?? "" {
        case "simple": self = .simple
        case "": self = .none
        case "jwt": self = .jwt(try JWTTokenOptions(options))
        default: throw .invalidAuthOptions
        }
    }
}

extension ConfigurationError {
    /// etcd's refusal of an `--auth-token` it cannot use.
    static let invalidAuthOptions = ConfigurationError("auth: invalid auth options")
}
