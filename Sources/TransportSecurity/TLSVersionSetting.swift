/// A TLS version etcd's `--tls-min-version` and `--tls-max-version` take.
public enum TLSVersionSetting: String, Sendable, Equatable, Comparable {
    case tls12 = "TLS1.2"
    case tls13 = "TLS1.3"

    /// Parses a flag value; etcd's message for anything else.
    public init(parsing text: String) throws(TLSConfigurationError) {
        guard let version = TLSVersionSetting(rawValue: text) else {
            throw TLSConfigurationError("unexpected TLS version \"\(text)\" (must be one of: TLS1.2, TLS1.3)")
        }
        self = version
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs == .tls12 && rhs == .tls13 }
}
