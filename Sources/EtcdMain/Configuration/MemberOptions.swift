import ClientAPI
import EtcdServer
import Logging
import Membership
import Telemetry
import TransportSecurity

/// The member's configuration, typed and validated, from flags, `ETCD_*` variables or a config file.
public struct MemberOptions: Sendable {
    /// Whether the member founds a new cluster or joins a running one.
    public enum ClusterState: String, Sendable {
        case new
        case existing
    }

    public var name: String
    public var dataDirectory: String
    public var walDirectory: String?
    public var snapshotCount: UInt64
    public var heartbeatIntervalMilliseconds: Int
    public var electionTimeoutMilliseconds: Int
    public var initialElectionTickAdvance: Bool
    public var listenPeerURLs: [EtcdURL]
    public var listenClientURLs: [EtcdURL]
    public var maxSnapshotFiles: Int
    public var maxWALFiles: Int
    /// The backend quota in bytes: 2 GiB for 0, no quota (the raw value) when negative, as etcd.
    public var quotaBackendBytes: Int64
    public var backendBatchInterval: Duration
    public var backendBatchLimit: Int
    public var maxTxnOps: Int
    public var maxRequestBytes: Int
    /// `--max-concurrent-streams`: streams per client connection (etcd's default is 2³² − 1).
    public var maxConcurrentStreams: Int
    public var keepaliveMinimumPingInterval: Duration
    public var keepaliveInterval: Duration
    public var keepaliveTimeout: Duration
    public var initialAdvertisePeerURLs: [EtcdURL]
    public var initialCluster: InitialCluster
    public var initialClusterState: ClusterState
    public var initialClusterToken: String
    public var advertiseClientURLs: [EtcdURL]
    public var strictReconfigCheck: Bool
    public var preVote: Bool
    public var autoCompaction: AutoCompaction
    public var logOutputs: [String]
    public var logLevel: Logger.Level
    public var snapshotCatchUpEntries: UInt64
    public var unsafeNoFsync: Bool
    /// `--force-new-cluster`: on a restart, make this member the cluster's only member.
    public var forceNewCluster: Bool
    /// How often watches with `progress_notify` get a progress response (etcd raises anything below
    /// 100 ms to 100 ms).
    public var watchProgressNotifyInterval: Duration
    /// `--bcrypt-cost`, as given (the member uses 10 instead of a cost bcrypt does not take, as etcd does).
    public var bcryptCost: Int
    /// `--auth-token`: simple tokens, or none at all (an empty type: Authenticate always fails, as etcd's
    /// "nop" provider).
    public var authTokens: AuthTokenKind
    /// `--auth-token-ttl`, in seconds (zero or less means etcd's 300).
    public var authTokenTTLSeconds: Int64
    /// `--experimental-enable-lease-checkpoint`.
    public var leaseCheckpoint: Bool
    /// `--experimental-enable-lease-checkpoint-persist`.
    public var leaseCheckpointPersist: Bool
    /// `--experimental-lease-checkpoint-interval`.
    public var leaseCheckpointInterval: Duration
    /// `--experimental-initial-corrupt-check`.
    public var initialCorruptCheck: Bool
    /// `--experimental-corrupt-check-time`; zero disables the periodic check.
    public var corruptCheckInterval: Duration
    /// `--experimental-warning-apply-duration`: an apply that takes longer is logged and counted as slow.
    public var warningApplyDuration: Duration
    /// `--metrics`: whether gRPC handling-time histograms are exported.
    public var metricsLevel: EtcdMetrics.Level
    /// `--listen-metrics-urls`: extra listeners serving only `/metrics` and the health endpoints.
    public var listenMetricsURLs: [EtcdURL]
    /// `--cors` and `--host-whitelist`: the origins and hosts the client port's HTTP requests may name.
    public var accessControl: ClientAccessControl
    /// `--socket-reuse-port`: the client and peer listeners set `SO_REUSEPORT`. (`--socket-reuse-address`
    /// is accepted and changes nothing: the listeners always set `SO_REUSEADDR`, as Go's do.)
    public var socketReusePort: Bool
    /// `--experimental-bootstrap-defrag-threshold-megabytes`: defragment at start when that frees this much.
    public var bootstrapDefragThresholdMegabytes: Int
    /// `--experimental-compaction-batch-limit`: revisions a compaction deletes per step (etcd's 1000 for 0
    /// or less).
    public var compactionBatchLimit: Int
    /// The client port's TLS (`--cert-file`, `--trusted-ca-file`, `--client-cert-auth`, `--auto-tls`, ...).
    public var clientTLS: TLSSettings
    /// The peer port's TLS (the `--peer-*` twins).
    public var peerTLS: TLSSettings

    /// etcd's default quota when `--quota-backend-bytes` is 0.
    public static let defaultQuotaBackendBytes: Int64 = 2 * 1024 * 1024 * 1024
    /// etcd's upper bound on `--election-timeout`.
    public static let maxElectionTimeoutMilliseconds = 50_000

    /// Reads and checks every option; the first bad value stops with etcd's message for it.
    public init(flags: ParsedFlags) throws(ConfigurationError) {
        let reader = OptionReader(flags: flags)
        self.name = flags.value("name")
        self.dataDirectory = flags.isSet("data-dir") ? flags.value("data-dir") : "\(self.name).etcd"
        let walDirectory = flags.value("wal-dir")
        self.walDirectory = walDirectory.isEmpty ? nil : walDirectory
        self.snapshotCount = UInt64(try reader.unsigned("snapshot-count"))
        self.heartbeatIntervalMilliseconds = try reader.unsigned("heartbeat-interval")
        self.electionTimeoutMilliseconds = try reader.unsigned("election-timeout")
        self.initialElectionTickAdvance = try reader.boolean("initial-election-tick-advance")
        self.listenPeerURLs = try reader.urls("listen-peer-urls")
        self.listenClientURLs = try reader.urls("listen-client-urls")
        self.maxSnapshotFiles = try reader.unsigned("max-snapshots")
        self.maxWALFiles = try reader.unsigned("max-wals")
        let quota = try reader.signed("quota-backend-bytes")
        self.quotaBackendBytes = quota == 0 ? Self.defaultQuotaBackendBytes : quota
        self.backendBatchInterval = try reader.duration("backend-batch-interval")
        self.backendBatchLimit = try reader.unsigned("backend-batch-limit")
        self.maxTxnOps = try reader.unsigned("max-txn-ops")
        self.maxRequestBytes = try reader.unsigned("max-request-bytes")
        self.maxConcurrentStreams = min(try reader.unsigned("max-concurrent-streams"), Int(UInt32.max))
        self.keepaliveMinimumPingInterval = try reader.duration("grpc-keepalive-min-time")
        self.keepaliveInterval = try reader.duration("grpc-keepalive-interval")
        self.keepaliveTimeout = try reader.duration("grpc-keepalive-timeout")
        self.initialAdvertisePeerURLs = try reader.urls("initial-advertise-peer-urls")
        self.advertiseClientURLs = try reader.urls("advertise-client-urls")
        self.initialCluster = Self.initialCluster(flags, name: self.name, advertised: self.initialAdvertisePeerURLs)
        guard let state = ClusterState(rawValue: flags.value("initial-cluster-state")) else {
            throw ConfigurationError(
                FlagError.invalidValue(
                    name: "initial-cluster-state",
                    value: flags.value("initial-cluster-state"),
                    reason: "valid values are 'new' or 'existing'"
                ).description
            )
        }
        self.initialClusterState = state
        self.initialClusterToken = flags.value("initial-cluster-token")
        self.strictReconfigCheck = try reader.boolean("strict-reconfig-check")
        self.preVote = try reader.boolean("pre-vote")
        self.autoCompaction = try Self.autoCompaction(
            mode: flags.value("auto-compaction-mode"),
            retention: flags.value("auto-compaction-retention")
        )
        switch flags.value("logger") {
        case "zap": break
        case "capnslog": throw ConfigurationError("--logger=capnslog is removed in v3.5")
        default: throw ConfigurationError("unknown logger option \"\(flags.value("logger"))\"")
        }
        self.logOutputs = flags.value("log-outputs").split(separator: ",").map(String.init)
        self.logLevel = try Self.logLevel(flags.value("log-level"))
        self.snapshotCatchUpEntries = UInt64(try reader.unsigned("experimental-snapshot-catchup-entries"))
        self.unsafeNoFsync = try reader.boolean("unsafe-no-fsync")
        self.forceNewCluster = try reader.boolean("force-new-cluster")
        self.watchProgressNotifyInterval = max(.milliseconds(100), try reader.duration("experimental-watch-progress-notify-interval"))
        self.initialCorruptCheck = try reader.boolean("experimental-initial-corrupt-check")
        self.bcryptCost = Int(clamping: try reader.signed("bcrypt-cost"))
        self.authTokens = try AuthTokenKind(parsing: flags.value("auth-token"))
        self.authTokenTTLSeconds = try reader.signed("auth-token-ttl")
        self.leaseCheckpoint = try reader.boolean("experimental-enable-lease-checkpoint")
        self.leaseCheckpointPersist = try reader.boolean("experimental-enable-lease-checkpoint-persist")
        self.leaseCheckpointInterval = try reader.duration("experimental-lease-checkpoint-interval")
        if self.leaseCheckpointPersist && !self.leaseCheckpoint {
            throw ConfigurationError("setting experimental-enable-lease-checkpoint-persist requires experimental-enable-lease-checkpoint")
        }
        if self.leaseCheckpointInterval <= .zero {
            throw ConfigurationError("--experimental-lease-checkpoint-interval must be positive")
        }
        self.corruptCheckInterval = max(.zero, try reader.duration("experimental-corrupt-check-time"))
        self.warningApplyDuration = try reader.duration("experimental-warning-apply-duration")
        guard let metricsLevel = EtcdMetrics.Level(rawValue: flags.value("metrics")) else {
            throw ConfigurationError(#"unknown metrics option "\#(flags.value("metrics"))" (valid values are basic or extensive)"#)
        }
        self.metricsLevel = metricsLevel
        self.listenMetricsURLs = flags.value("listen-metrics-urls").isEmpty ? [] : try reader.urls("listen-metrics-urls")
        (self.clientTLS, self.peerTLS) = try Self.tlsSettings(flags, reader)
        self.accessControl = try Self.accessControl(flags, reader)
        let batchLimit = try reader.signed("experimental-compaction-batch-limit")
        self.compactionBatchLimit = batchLimit > 0 ? Int(clamping: batchLimit) : 1_000
        self.socketReusePort = try reader.boolean("socket-reuse-port")
        self.bootstrapDefragThresholdMegabytes = min(try reader.unsigned("experimental-bootstrap-defrag-threshold-megabytes"), 1 << 40)
        _ = try reader.boolean("socket-reuse-address")
        try UnsupportedFeatures.check(flags, reader)
        try self.validate(flags: flags)
    }

    /// An `https://` URL needs a certificate (given or made with auto TLS), with etcd's message; this
    /// member has no unix-socket listener, so it refuses such URLs rather than serve them in plain TCP.
    private static func checkSchemes(client: [EtcdURL], clientTLS: TLSSettings, peer: [EtcdURL], peerTLS: TLSSettings) throws(ConfigurationError) {
        let sides = [(client, "--cert-file, --key-file", "client", clientTLS), (peer, "--peer-cert-file, --peer-key-file", "peer", peerTLS)]
        for (urls, flags, kind, tls) in sides {
            for url in urls {
                switch url.scheme {
                case "http": continue
                case "https":
                    guard tls.hasCertificate || tls.autoTLS else {
                        throw ConfigurationError("TLS key/cert (\(flags)) must be provided for \(kind) url \(url) with HTTPS scheme")
                    }
                default:
                    throw ConfigurationError("listening on unix sockets is not supported by this member (\(url))")
                }
            }
        }
    }

    /// The client and peer TLS settings of the flags; the checks that need no file (versions, suites,
    /// mutually exclusive names) are made here, the files when the member starts.
    private static func tlsSettings(_ flags: ParsedFlags, _ reader: OptionReader) throws(ConfigurationError) -> (TLSSettings, TLSSettings) {
        var shared = TLSSettings()
        do throws(TLSConfigurationError) {
            shared.minimumVersion = try TLSVersionSetting(parsing: flags.value("tls-min-version"))
            let maximum = flags.value("tls-max-version")
            shared.maximumVersion = maximum.isEmpty ? nil : try TLSVersionSetting(parsing: maximum)
        } catch {
            throw ConfigurationError(error.description)
        }
        shared.cipherSuites = flags.value("cipher-suites").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        shared.selfSignedValidityYears = Int(clamping: try reader.signed("self-signed-cert-validity"))
        /// One side from its flags: certificate, key, trusted CA, client cert auth, auto TLS, allowed CN,
        /// allowed hostname and revocation list (nil where the side has no such flag).
        func side(_ names: [String?]) throws(ConfigurationError) -> TLSSettings {
            var settings = shared
            settings.certFile = flags.value(names[0]!)
            settings.keyFile = flags.value(names[1]!)
            settings.trustedCAFile = flags.value(names[2]!)
            settings.clientCertAuth = try reader.boolean(names[3]!)
            settings.autoTLS = try reader.boolean(names[4]!)
            settings.allowedCN = names[5].map { flags.value($0) } ?? ""
            settings.allowedHostname = flags.value(names[6]!)
            settings.crlFile = flags.value(names[7]!)
            return settings
        }
        let client = try side([
            "cert-file", "key-file", "trusted-ca-file", "client-cert-auth", "auto-tls", nil, "client-cert-allowed-hostname", "client-crl-file",
        ])
        var peer = try side([
            "peer-cert-file", "peer-key-file", "peer-trusted-ca-file", "peer-client-cert-auth", "peer-auto-tls", "peer-cert-allowed-cn",
            "peer-cert-allowed-hostname", "peer-crl-file",
        ])
        peer.skipClientSANVerify = try reader.boolean("experimental-peer-skip-client-san-verification")
        return (client, peer)
    }

    /// The checks etcd makes once every value parses (`embed.Config.Validate` and the bootstrap checks).
    private func validate(flags: ParsedFlags) throws(ConfigurationError) {
        if flags.isSet("listen-client-urls") && !flags.isSet("advertise-client-urls") {
            throw ConfigurationError("--advertise-client-urls is required when --listen-client-urls is set explicitly")
        }
        for url in self.listenPeerURLs + self.listenClientURLs + self.listenMetricsURLs where !url.scheme.hasPrefix("unix") {
            guard url.host == "localhost" || url.hostIsIPAddress else {
                throw ConfigurationError("expected IP in URL for binding (\(url))")
            }
        }
        try Self.checkSchemes(
            client: self.listenClientURLs + self.listenMetricsURLs, clientTLS: self.clientTLS, peer: self.listenPeerURLs, peerTLS: self.peerTLS
        )
        for (flag, urls) in [("initial-advertise-peer-urls", self.initialAdvertisePeerURLs), ("advertise-client-urls", self.advertiseClientURLs)]
        where urls.contains(where: \.host.isEmpty) {
            let list = urls.map(\.description).joined(separator: ",")
            throw ConfigurationError(#"--\#(flag) "\#(list)" must be "host:port" (unexpected empty host)"#)
        }
        guard self.heartbeatIntervalMilliseconds > 0 else {
            throw ConfigurationError("--heartbeat-interval must be >0 (set to \(self.heartbeatIntervalMilliseconds)ms)")
        }
        guard self.electionTimeoutMilliseconds > 0 else {
            throw ConfigurationError("--election-timeout must be >0 (set to \(self.electionTimeoutMilliseconds)ms)")
        }
        guard 5 * self.heartbeatIntervalMilliseconds <= self.electionTimeoutMilliseconds else {
            throw ConfigurationError(
                "--election-timeout[\(self.electionTimeoutMilliseconds)ms] should be at least as 5 times as "
                    + "--heartbeat-interval[\(self.heartbeatIntervalMilliseconds)ms]"
            )
        }
        guard self.electionTimeoutMilliseconds <= Self.maxElectionTimeoutMilliseconds else {
            throw ConfigurationError(
                "--election-timeout[\(self.electionTimeoutMilliseconds)ms] is too long, and should be set less than "
                    + "\(Self.maxElectionTimeoutMilliseconds)ms"
            )
        }
        try self.validateInitialCluster()
    }

    /// The local member must be in `--initial-cluster` with exactly its advertised peer URLs, and no URL
    /// may appear twice.
    private func validateInitialCluster() throws(ConfigurationError) {
        try self.initialCluster.verify(
            name: self.name,
            advertised: self.initialAdvertisePeerURLs.map(\.description),
            checkAdvertised: self.initialClusterState != .existing
        )
    }

    /// `--initial-cluster`; when only the name changed from etcd's defaults, etcd derives it from the name
    /// and the advertised peer URLs.
    private static func initialCluster(_ flags: ParsedFlags, name: String, advertised: [EtcdURL]) -> InitialCluster {
        let given = flags.value("initial-cluster")
        if !flags.isSet("initial-cluster") && name != "default" {
            return InitialCluster(parsing: advertised.map { "\(name)=\($0)" }.joined(separator: ","))
        }
        return InitialCluster(parsing: given)
    }

    private static func autoCompaction(mode: String, retention: String) throws(ConfigurationError) -> AutoCompaction {
        switch mode {
        case "periodic":
            if let hours = GoValue.parseInt64(retention) {
                guard hours >= 0 else { throw ConfigurationError("invalid auto-compaction-retention \"\(retention)\"") }
                return hours == 0 ? .disabled : .periodic(.seconds(hours * 3_600))
            }
            guard let duration = GoValue.parseDuration(retention), duration >= .zero else {
                throw ConfigurationError("invalid auto-compaction-retention \"\(retention)\"")
            }
            return duration == .zero ? .disabled : .periodic(duration)
        case "revision":
            guard let count = GoValue.parseInt64(retention), count >= 0 else {
                throw ConfigurationError("invalid auto-compaction-retention \"\(retention)\"")
            }
            return count == 0 ? .disabled : .revision(count)
        default:
            throw ConfigurationError("unknown auto-compaction-mode \"\(mode)\"")
        }
    }

    /// `--cors` (each origin `*` or a URL, checked as etcd checks them) and `--host-whitelist`.
    private static func accessControl(_ flags: ParsedFlags, _ reader: OptionReader) throws(ConfigurationError) -> ClientAccessControl {
        let origins = Set(flags.value("cors").split(separator: ",").map(String.init))
        if !origins.subtracting(["*"]).isEmpty {
            _ = try reader.urls("cors")
        }
        let hosts = Set(flags.value("host-whitelist").split(separator: ",").map(String.init))
        return ClientAccessControl(allowedOrigins: origins, allowedHosts: hosts)
    }

    /// etcd's levels; `panic` and `fatal` log only what is about to stop the member.
    private static func logLevel(_ text: String) throws(ConfigurationError) -> Logger.Level {
        switch text {
        case "debug": return .debug
        case "info": return .info
        case "warn": return .warning
        case "error": return .error
        case "dpanic", "panic", "fatal": return .critical
        default: throw ConfigurationError("unrecognized level: \"\(text)\"")
        }
    }
}

/// Typed reads of flag values, failing with Go's flag message for the first bad one.
struct OptionReader {
    let flags: ParsedFlags

    func urls(_ name: String) throws(ConfigurationError) -> [EtcdURL] {
        do {
            return try EtcdURL.parseList(self.flags.value(name))
        } catch {
            throw self.invalid(name, error.message)
        }
    }

    func unsigned(_ name: String) throws(ConfigurationError) -> Int {
        guard let value = GoValue.parseUInt64(self.flags.value(name)), value <= UInt64(Int.max) else {
            throw self.invalid(name, "parse error")
        }
        return Int(value)
    }

    func signed(_ name: String) throws(ConfigurationError) -> Int64 {
        guard let value = GoValue.parseInt64(self.flags.value(name)) else { throw self.invalid(name, "parse error") }
        return value
    }

    func boolean(_ name: String) throws(ConfigurationError) -> Bool {
        guard let value = GoValue.parseBool(self.flags.value(name)) else { throw self.invalid(name, "parse error") }
        return value
    }

    func duration(_ name: String) throws(ConfigurationError) -> Duration {
        guard let value = GoValue.parseDuration(self.flags.value(name)) else { throw self.invalid(name, "parse error") }
        return value
    }

    private func invalid(_ name: String, _ reason: String) -> ConfigurationError {
        ConfigurationError(FlagError.invalidValue(name: name, value: self.flags.value(name), reason: reason).description)
    }
}
