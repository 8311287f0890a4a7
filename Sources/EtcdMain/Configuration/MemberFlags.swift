/// The flags of the `etcd` member, with etcd 3.5's names and defaults. Every flag can also be set by its
/// `ETCD_*` environment variable.
public enum MemberFlags {
    /// The flag table, in the order `--help` lists it.
    public static let all: [FlagDefinition] = [
        .value("name", default: "default", "Human-readable name for this member."),
        .value("data-dir", default: "${name}.etcd", "Path to the data directory."),
        .value(
            "listen-client-urls", default: "http://localhost:2379",
            "List of URLs to listen on for client gRPC and HTTP traffic."
        ),
        .value(
            "advertise-client-urls", default: "http://localhost:2379",
            "List of this member's client URLs to advertise to the rest of the cluster and to clients."
        ),
        .value("max-request-bytes", default: "1572864", "Maximum client request size in bytes the server will accept."),
        .value(
            "grpc-keepalive-min-time", default: "5s",
            "Minimum interval a client should wait before pinging the server."
        ),
        .value(
            "grpc-keepalive-interval", default: "2h",
            "Frequency of server-to-client pings to check that a connection is alive (0 to disable)."
        ),
        .value(
            "grpc-keepalive-timeout", default: "20s",
            "Additional wait before closing a connection that does not answer a ping (0 to disable)."
        ),
        .value("logger", default: "zap", "Structured logger; only 'zap' (JSON lines) is supported."),
        .value(
            "log-outputs", default: "default",
            "Where to write logs: 'default' or 'stderr', 'stdout', or a file path."
        ),
        .value("log-level", default: "info", "Log level: debug, info, warn, error, panic, or fatal."),
        .boolean("version", default: false, "Print the version and exit."),
    ]

    /// Environment variables with the `ETCD_` prefix that are not flag twins.
    /// `ETCD_VERSION` would clash with `--version`; etcd ignores it with a warning.
    public static let specialVariables: Set<String> = ["ETCD_VERSION"]
}
