/// The flags of the `etcd` member, with etcd 3.5's names, defaults and meanings. Every flag can also be set
/// by its `ETCD_*` environment variable or, with `--config-file`, by the YAML key of the same name.
/// Only flags the member implements are accepted: an unknown flag is an error, never silently ignored.
public enum MemberFlags {
    /// The flag table, in the order `--help` lists it.
    public static let all: [FlagDefinition] = member + clustering + security + logging + other + featuresLeftOff

    static let member: [FlagDefinition] = [
        .value("name", default: "default", "Human-readable name for this member."),
        .value("data-dir", default: "${name}.etcd", "Path to the data directory."),
        .value("wal-dir", default: "", "Path to a dedicated WAL directory (default: inside the data directory)."),
        .integer("snapshot-count", default: 100_000, "Number of committed transactions that trigger a snapshot to disk."),
        .integer("heartbeat-interval", default: 100, "Time (in milliseconds) of a heartbeat interval."),
        .integer("election-timeout", default: 1_000, "Time (in milliseconds) for an election to time out."),
        .boolean(
            "initial-election-tick-advance", default: true,
            "Whether to fast-forward initial election ticks on boot for a faster first election."
        ),
        .list("listen-peer-urls", default: "http://localhost:2380", "List of URLs to listen on for peer traffic."),
        .list(
            "listen-client-urls", default: "http://localhost:2379",
            "List of URLs to listen on for client gRPC and HTTP traffic."
        ),
        .integer("max-snapshots", default: 5, "Maximum number of snapshot files to retain (0 is unlimited)."),
        .integer("max-wals", default: 5, "Maximum number of WAL files to retain (0 is unlimited)."),
        .integer(
            "quota-backend-bytes", default: 0,
            "Maximum size in bytes of the backend database; exceeding it raises the NOSPACE alarm. 0 means 2 GiB."
        ),
        .duration("backend-batch-interval", default: "100ms", "Maximum time before the backend commits a batch."),
        .integer("backend-batch-limit", default: 10_000, "Maximum operations before the backend commits a batch."),
        .boolean(
            "socket-reuse-port", default: false,
            "Enable to set socket option SO_REUSEPORT on listeners allowing rebinding of a port already in use."
        ),
        .boolean(
            "socket-reuse-address", default: false,
            "Enable to set socket option SO_REUSEADDR on listeners allowing binding to an address in TIME_WAIT state."
        ),
        .integer("max-txn-ops", default: 128, "Maximum number of operations permitted in a transaction."),
        .integer("max-request-bytes", default: 1_572_864, "Maximum client request size in bytes the server will accept."),
        .integer(
            "max-concurrent-streams", default: 4_294_967_295,
            "Maximum number of streams a client may have open at a time on one connection."
        ),
        .duration("grpc-keepalive-min-time", default: "5s", "Minimum interval a client should wait before pinging the server."),
        .duration(
            "grpc-keepalive-interval", default: "2h",
            "Frequency of server-to-client pings to check that a connection is alive (0 to disable)."
        ),
        .duration(
            "grpc-keepalive-timeout", default: "20s",
            "Additional wait before closing a connection that does not answer a ping (0 to disable)."
        ),
    ]

    static let clustering: [FlagDefinition] = [
        .list(
            "initial-advertise-peer-urls", default: "http://localhost:2380",
            "List of this member's peer URLs to advertise to the rest of the cluster."
        ),
        .value("initial-cluster", default: "default=http://localhost:2380", "Initial cluster configuration for bootstrapping."),
        .boolean("force-new-cluster", default: false, "Force to create a new one member cluster."),
        .value(
            "initial-cluster-state", default: "new",
            "Initial cluster state: 'new' when bootstrapping a new cluster, 'existing' when joining one."
        ),
        .value("initial-cluster-token", default: "etcd-cluster", "Initial cluster token for the cluster during bootstrap."),
        .list(
            "advertise-client-urls", default: "http://localhost:2379",
            "List of this member's client URLs to advertise to the rest of the cluster and to clients."
        ),
        .boolean("strict-reconfig-check", default: true, "Reject reconfiguration requests that would cause quorum loss."),
        .boolean("pre-vote", default: true, "Run an additional Raft election phase before raising the term."),
        .value(
            "auto-compaction-retention", default: "0",
            "Auto compaction retention: hours or a duration for 'periodic', a revision count for 'revision'; 0 disables."
        ),
        .value("auto-compaction-mode", default: "periodic", "How to read the retention: 'periodic' or 'revision'."),
    ]

    static let security: [FlagDefinition] = [
        .value("cert-file", default: "", "Path to the client server TLS cert file."),
        .value("key-file", default: "", "Path to the client server TLS key file."),
        .boolean("client-cert-auth", default: false, "Enable client cert authentication."),
        .value("client-crl-file", default: "", "Path to the client certificate revocation list file."),
        .value("client-cert-allowed-hostname", default: "", "Allowed TLS hostname for client cert authentication."),
        .value("trusted-ca-file", default: "", "Path to the client server TLS trusted CA cert file."),
        .boolean("auto-tls", default: false, "Client TLS using generated certificates."),
        .value("peer-cert-file", default: "", "Path to the peer server TLS cert file."),
        .value("peer-key-file", default: "", "Path to the peer server TLS key file."),
        .boolean("peer-client-cert-auth", default: false, "Enable peer client cert authentication."),
        .value("peer-trusted-ca-file", default: "", "Path to the peer server TLS trusted CA file."),
        .value("peer-cert-allowed-cn", default: "", "Allowed CN for inter peer authentication."),
        .value("peer-cert-allowed-hostname", default: "", "Allowed TLS hostname for inter peer authentication."),
        .boolean(
            "peer-auto-tls", default: false,
            "Peer TLS using self-generated certificates if --peer-key-file and --peer-cert-file are not provided."
        ),
        .integer(
            "self-signed-cert-validity", default: 1,
            "The validity period of the client and peer certificates that are automatically generated by etcd when you specify ClientAutoTLS and PeerAutoTLS, the unit is year, and the default is 1."
        ),
        .value("peer-crl-file", default: "", "Path to the peer certificate revocation list file."),
        .boolean(
            "experimental-peer-skip-client-san-verification", default: false,
            "Skip verification of SAN field in client certificate for peer connections."
        ),
        .list(
            "cipher-suites", default: "",
            "Comma-separated list of supported TLS cipher suites between client/server and peers (empty will be auto-populated by Go)."
        ),
        .list(
            "cors", default: "*",
            "Comma-separated whitelist of origins for CORS, or cross-origin resource sharing, (empty or * means allow all)."
        ),
        .list(
            "host-whitelist", default: "*",
            "Acceptable hostnames from HTTP client requests, if server is not secure (empty or * means allow all)."
        ),
        .value("tls-min-version", default: "TLS1.2", "Minimum TLS version supported by etcd. Possible values: TLS1.2, TLS1.3."),
        .value(
            "tls-max-version", default: "",
            "Maximum TLS version supported by etcd. Possible values: TLS1.2, TLS1.3 (empty will be auto-populated by Go)."
        ),
    ]

    static let logging: [FlagDefinition] = [
        .value("logger", default: "zap", "Structured logger; only 'zap' (JSON lines) is supported."),
        .list("log-outputs", default: "default", "Where to write logs: 'default' or 'stderr', 'stdout', or file paths."),
        .value("log-level", default: "info", "Log level: debug, info, warn, error, panic, or fatal."),
    ]

    static let other: [FlagDefinition] = [
        .value("metrics", default: "basic", "Set level of detail for exported metrics: 'basic' or 'extensive'."),
        .value("auth-token", default: "simple", "Specify a v3 authentication token type and its options ('simple' or 'jwt')."),
        .integer("bcrypt-cost", default: 10, "Specify bcrypt algorithm cost factor for auth password hashing."),
        .integer("auth-token-ttl", default: 300, "Time (in seconds) of the auth-token-ttl."),
        .list(
            "listen-metrics-urls", default: "",
            "List of URLs to listen on for the metrics and health endpoints only."
        ),
        .value("config-file", default: "", "Path to a YAML configuration file; when set, other flags and variables are ignored."),
        .integer(
            "experimental-snapshot-catchup-entries", default: 5_000,
            "Entries kept after a snapshot so that slow followers can catch up without a snapshot."
        ),
        .duration(
            "experimental-watch-progress-notify-interval", default: "10m",
            "Duration of periodic progress notifications to watches that asked for them (progress_notify)."
        ),
        .duration(
            "experimental-warning-apply-duration", default: "100ms",
            "Warning is generated if requests take more than this duration."
        ),
        .boolean(
            "experimental-initial-corrupt-check", default: false,
            "Enable to check data corruption before serving any client/peer traffic."
        ),
        .duration(
            "experimental-corrupt-check-time", default: "0s",
            "Duration of time between cluster corruption check passes."
        ),
        .boolean(
            "experimental-enable-lease-checkpoint", default: false,
            "Have the leader record leases' remaining TTLs in the log, so a leader change does not restart them."
        ),
        .boolean(
            "experimental-enable-lease-checkpoint-persist", default: false,
            "Also keep checkpointed remaining TTLs in the backend, so a restart does not restart long leases."
        ),
        .duration(
            "experimental-lease-checkpoint-interval", default: "5m",
            "How often the leader checkpoints the remaining TTL of leases longer than this interval."
        ),
        .integer(
            "experimental-compaction-batch-limit", default: 1_000,
            "ExperimentalCompactionBatchLimit sets the maximum revisions deleted in each compaction batch."
        ),
        .integer(
            "experimental-bootstrap-defrag-threshold-megabytes", default: 0,
            "Enable the defrag during etcd server bootstrap on condition that it will free at least the provided threshold of disk space. Needs to be set to non-zero value to take effect."
        ),
        .boolean("unsafe-no-fsync", default: false, "Disables fsync: unsafe, data is lost if the machine crashes."),
        .boolean("version", default: false, "Print the version and exit."),
    ]

    /// etcd's flags for what this member does not have: the v2 API and its proxy, discovery, Go's profiler,
    /// OpenTelemetry tracing, log rotation, and bbolt's tuning. They are accepted, with etcd's defaults, so
    /// that existing units and config files keep working; ``UnsupportedFeatures`` refuses a value that
    /// would turn a missing feature on.
    static let featuresLeftOff: [FlagDefinition] = [
        .boolean("enable-v2", default: false, "Accept etcd V2 client requests. Not supported by this member: only false is accepted."),
        .value(
            "experimental-enable-v2v3", default: "",
            "Serve v2 requests through the v3 backend under a given prefix. Not supported by this member: must be empty."
        ),
        .value("v2-deprecation", default: "not-yet", "Phase of v2store deprecation. This member keeps no v2 store at any phase."),
        .value("proxy", default: "off", "Proxy mode setting ('off', 'readonly' or 'on'). Only 'off' is supported by this member."),
        .integer("proxy-failure-wait", default: 5_000, "Time (in milliseconds) an endpoint will be held in a failed state."),
        .integer("proxy-refresh-interval", default: 30_000, "Time (in milliseconds) of the endpoints refresh interval."),
        .integer("proxy-dial-timeout", default: 1_000, "Time (in milliseconds) for a dial to timeout."),
        .integer("proxy-write-timeout", default: 5_000, "Time (in milliseconds) for a write to timeout."),
        .integer("proxy-read-timeout", default: 0, "Time (in milliseconds) for a read to timeout."),
        .value("discovery", default: "", "Discovery URL used to bootstrap the cluster. Not supported by this member: must be empty."),
        .value("discovery-fallback", default: "proxy", "Expected behavior ('exit' or 'proxy') when discovery services fails."),
        .value("discovery-proxy", default: "", "HTTP proxy to use for traffic to discovery service."),
        .value("discovery-srv", default: "", "DNS srv domain used to bootstrap the cluster. Not supported by this member: must be empty."),
        .value("discovery-srv-name", default: "", "Suffix to the dns srv name queried when bootstrapping."),
        .boolean(
            "enable-pprof", default: false,
            "Enable runtime profiling data via HTTP server. Not supported by this member (it is not a Go program): only false is accepted."
        ),
        .boolean(
            "experimental-enable-distributed-tracing", default: false,
            "Enable experimental distributed tracing. Not supported by this member: only false is accepted."
        ),
        .value("experimental-distributed-tracing-address", default: "localhost:4317", "Distributed tracing collector address."),
        .value(
            "experimental-distributed-tracing-service-name", default: "etcd",
            "Distributed tracing service name, must be same across all etcd instances."
        ),
        .value(
            "experimental-distributed-tracing-instance-id", default: "",
            "Distributed tracing instance ID, must be unique per each etcd instance."
        ),
        .boolean(
            "enable-log-rotation", default: false,
            "Enable log rotation of a single log-outputs file target. Not supported by this member: only false is accepted."
        ),
        .value(
            "log-rotation-config-json", default: #"{"maxsize": 100, "maxage": 0, "maxbackups": 0, "localtime": false, "compress": false}"#,
            "Configures log rotation if enabled with a JSON logger config."
        ),
        .value(
            "backend-bbolt-freelist-type", default: "map",
            "BackendFreelistType specifies the type of freelist that boltdb backend uses. No effect: the backend is LMDB."
        ),
        .boolean(
            "experimental-txn-mode-write-with-shared-buffer", default: true,
            "Enable the write transaction to use a shared buffer in its readonly check operations. No effect on this member."
        ),
    ]

    /// Environment variables with the `ETCD_` prefix that are not flag twins.
    /// `ETCD_VERSION` would clash with `--version`; etcd ignores it with a warning.
    public static let specialVariables: Set<String> = ["ETCD_VERSION"]
}
