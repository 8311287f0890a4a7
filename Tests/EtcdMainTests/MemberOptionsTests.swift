import EtcdMain
import Membership
import Testing

@Suite struct MemberOptionsTests {
    private func options(_ arguments: [String], environment: [String: String] = [:]) throws -> MemberOptions {
        let parser = FlagParser(MemberFlags.all)
        var flags = try parser.parse(arguments)
        _ = try EnvironmentOverlay(prefix: "ETCD").apply(environment, to: &flags, parser: parser)
        return try MemberOptions(flags: flags)
    }

    @Test func defaultsAreEtcds() throws {
        let options = try options([])
        #expect(options.name == "default")
        #expect(options.dataDirectory == "default.etcd")
        #expect(options.listenClientURLs.map(\.description) == ["http://localhost:2379"])
        #expect(options.maxRequestBytes == 1_572_864)
        #expect(options.keepaliveMinimumPingInterval == .seconds(5))
        #expect(options.keepaliveInterval == .seconds(7_200))
        #expect(options.keepaliveTimeout == .seconds(20))
        #expect(options.logLevel == .info)
    }

    @Test func theDataDirectoryFollowsTheName() throws {
        #expect(try options(["--name", "infra1"]).dataDirectory == "infra1.etcd")
        #expect(try options(["--name", "infra1", "--data-dir", "/var/lib/etcd"]).dataDirectory == "/var/lib/etcd")
    }

    @Test func environmentVariablesConfigureTheMember() throws {
        let options = try options([], environment: ["ETCD_NAME": "env1", "ETCD_MAX_REQUEST_BYTES": "2097152"])
        #expect(options.name == "env1")
        #expect(options.maxRequestBytes == 2_097_152)
    }

    @Test func schemesThisMemberCannotServeAreRefused() {
        let https = "https://127.0.0.1:2379"
        #expect(throws: ConfigurationError("TLS key/cert (--cert-file, --key-file) must be provided for client url \(https) with HTTPS scheme")) {
            try options(["--listen-client-urls", https, "--advertise-client-urls", https])
        }
        let peer = "https://127.0.0.1:2380"
        #expect(throws: ConfigurationError("TLS key/cert (--peer-cert-file, --peer-key-file) must be provided for peer url \(peer) with HTTPS scheme")) {
            try options(["--listen-peer-urls", peer])
        }
        #expect(throws: ConfigurationError("listening on unix sockets is not supported by this member (unix://localhost:2379)")) {
            try options(["--listen-client-urls", "unix://localhost:2379", "--advertise-client-urls", "http://127.0.0.1:2379"])
        }
    }

    @Test func listeningExplicitlyRequiresAdvertising() {
        #expect(throws: ConfigurationError("--advertise-client-urls is required when --listen-client-urls is set explicitly")) {
            try options(["--listen-client-urls", "http://127.0.0.1:2379"])
        }
    }

    @Test func listenURLsMustBeIPAddressesOrLocalhost() {
        #expect(throws: ConfigurationError("expected IP in URL for binding (http://etcd-1:2379)")) {
            try options(["--listen-client-urls", "http://etcd-1:2379", "--advertise-client-urls", "http://etcd-1:2379"])
        }
    }

    @Test func badValuesNameTheFlag() {
        #expect(throws: ConfigurationError(#"invalid value "lots" for flag -max-request-bytes: parse error"#)) {
            try options(["--max-request-bytes", "lots"])
        }
        #expect(throws: ConfigurationError(#"invalid value "5" for flag -grpc-keepalive-min-time: parse error"#)) {
            try options(["--grpc-keepalive-min-time", "5"])
        }
        #expect(throws: ConfigurationError(#"unrecognized level: "loud""#)) { try options(["--log-level", "loud"]) }
        #expect(throws: ConfigurationError("--logger=capnslog is removed in v3.5")) { try options(["--logger", "capnslog"]) }
        #expect(throws: ConfigurationError(#"unknown logger option "json""#)) { try options(["--logger", "json"]) }
        #expect(
            throws: ConfigurationError(
                #"invalid value "localhost:2379" for flag -listen-client-urls: URL scheme must be http, https, unix, or unixs: localhost:2379"#
            )
        ) {
            try options(["--listen-client-urls", "localhost:2379", "--advertise-client-urls", "http://a:1"])
        }
    }

    @Test func electionTimeoutMustBeFiveHeartbeatsAndBounded() {
        #expect(
            throws: ConfigurationError(
                "--election-timeout[400ms] should be at least as 5 times as --heartbeat-interval[100ms]"
            )
        ) { try options(["--election-timeout", "400"]) }
        #expect(
            throws: ConfigurationError("--election-timeout[60000ms] is too long, and should be set less than 50000ms")
        ) { try options(["--election-timeout", "60000"]) }
        #expect(throws: ConfigurationError("--heartbeat-interval must be >0 (set to 0ms)")) {
            try options(["--heartbeat-interval", "0"])
        }
    }

    @Test func theLocalMemberMustBeInTheInitialCluster() {
        #expect(throws: ConfigurationError(#"couldn't find local name "infra9" in the initial cluster configuration"#)) {
            try options(["--name", "infra9", "--initial-cluster", "infra1=http://127.0.0.1:2380"])
        }
        #expect(throws: ConfigurationError.self) {
            try options([
                "--name", "infra1", "--initial-cluster", "infra1=http://127.0.0.1:2380",
                "--initial-advertise-peer-urls", "http://127.0.0.1:9999",
            ])
        }
        #expect(throws: ConfigurationError("initial cluster a=http://127.0.0.1:2380,b=http://127.0.0.1:2380 has duplicate url")) {
            try options([
                "--name", "a", "--initial-cluster", "a=http://127.0.0.1:2380,b=http://127.0.0.1:2380",
                "--initial-advertise-peer-urls", "http://127.0.0.1:2380",
            ])
        }
    }

    @Test func aRenamedMemberDerivesItsInitialClusterLikeEtcd() throws {
        let renamed = try options(["--name", "solo", "--initial-advertise-peer-urls", "http://127.0.0.1:12380"])
        #expect(renamed.initialCluster.description == "solo=http://127.0.0.1:12380")
        #expect(try options([]).initialCluster.description == "default=http://localhost:2380")
    }

    @Test func clusterStateAndCompactionModesAreChecked() throws {
        #expect(throws: ConfigurationError.self) { try options(["--initial-cluster-state", "old"]) }
        #expect(try options(["--initial-cluster-state", "existing"]).initialClusterState == .existing)
        #expect(try options([]).autoCompaction == .disabled)
        #expect(try options(["--auto-compaction-retention", "1"]).autoCompaction == .periodic(.seconds(3_600)))
        #expect(try options(["--auto-compaction-retention", "30m"]).autoCompaction == .periodic(.seconds(1_800)))
        #expect(
            try options(["--auto-compaction-mode", "revision", "--auto-compaction-retention", "1000"]).autoCompaction
                == .revision(1_000)
        )
        #expect(throws: ConfigurationError(#"unknown auto-compaction-mode "daily""#)) {
            try options(["--auto-compaction-mode", "daily"])
        }
    }

    @Test func theQuotaFollowsEtcdsRules() throws {
        #expect(try options([]).quotaBackendBytes == 2_147_483_648)
        #expect(try options(["--quota-backend-bytes", "16777216"]).quotaBackendBytes == 16_777_216)
        #expect(try options(["--quota-backend-bytes", "-1"]).quotaBackendBytes == -1)
    }
}

/// etcd's flags for features this member lacks are accepted where they leave the feature off (as units and
/// files written for etcd set them) and refused, with the reason, where they would turn it on.
extension MemberOptionsTests {
    @Test func settingsThatLeaveAFeatureOffAreAccepted() throws {
        _ = try options([
            "--enable-v2=false", "--experimental-enable-v2v3", "", "--v2-deprecation", "write-only", "--proxy", "off",
            "--proxy-dial-timeout", "2000", "--discovery-fallback", "exit", "--discovery-srv-name", "x", "--enable-pprof=false",
            "--experimental-enable-distributed-tracing=false", "--experimental-distributed-tracing-address", "otel:4317",
            "--enable-log-rotation=false", "--backend-bbolt-freelist-type", "array",
            "--experimental-txn-mode-write-with-shared-buffer=false",
        ])
        _ = try options([], environment: ["ETCD_ENABLE_V2": "false", "ETCD_PROXY": "off", "ETCD_DISCOVERY": ""])
    }

    @Test func settingsThatWouldTurnAMissingFeatureOnAreRefused() {
        #expect(throws: ConfigurationError("--enable-v2=true: the v2 API is not supported by this member")) {
            try options(["--enable-v2"])
        }
        #expect(throws: ConfigurationError("--enable-v2=true: the v2 API is not supported by this member")) {
            try options([], environment: ["ETCD_ENABLE_V2": "true"])
        }
        #expect(throws: ConfigurationError("--proxy=readonly: the v2 proxy is not supported by this member")) {
            try options(["--proxy", "readonly"])
        }
        #expect(
            throws: ConfigurationError("--discovery-srv=example.com: DNS discovery is not supported by this member; list the members in --initial-cluster")
        ) {
            try options(["--discovery-srv", "example.com"])
        }
        #expect(throws: ConfigurationError.self) { try options(["--enable-pprof"]) }
        #expect(throws: ConfigurationError.self) { try options(["--experimental-enable-distributed-tracing"]) }
        #expect(throws: ConfigurationError.self) { try options(["--enable-log-rotation"]) }
        #expect(throws: ConfigurationError.self) { try options(["--experimental-enable-v2v3", "/v2/"]) }
    }

    @Test func valuesEtcdRefusesGetItsFlagErrors() {
        #expect(throws: ConfigurationError(#"invalid value "bad" for flag -proxy: invalid value"#)) { try options(["--proxy", "bad"]) }
        #expect(throws: ConfigurationError(#"invalid value "bad" for flag -v2-deprecation: invalid value "bad""#)) {
            try options(["--v2-deprecation", "bad"])
        }
        #expect(throws: ConfigurationError(#"invalid value "bad" for flag -discovery-fallback: invalid value"#)) {
            try options(["--discovery-fallback", "bad"])
        }
        #expect(throws: ConfigurationError(#"invalid value "notaurl" for flag -cors: URL scheme must be http, https, unix, or unixs: notaurl"#)) {
            try options(["--cors", "notaurl"])
        }
        #expect(throws: FlagError.invalidBoolean(name: "enable-v2", value: "soon")) { try options(["--enable-v2=soon"]) }
    }

    @Test func implementedSettingsReachTheirOptions() throws {
        let set = try options([
            "--cors", "http://ui.example:8080,https://admin.example:443", "--host-whitelist", "etcd.local,10.0.0.1",
            "--experimental-compaction-batch-limit", "250", "--force-new-cluster",
        ])
        #expect(set.accessControl.allowedOrigins == ["http://ui.example:8080", "https://admin.example:443"])
        #expect(set.accessControl.allowedHosts == ["etcd.local", "10.0.0.1"])
        #expect(set.compactionBatchLimit == 250 && set.forceNewCluster)
        let defaults = try options([])
        #expect(defaults.accessControl.allowedOrigins == ["*"] && defaults.accessControl.allowedHosts == ["*"])
        #expect(defaults.compactionBatchLimit == 1_000 && !defaults.forceNewCluster)
        #expect(try options(["--experimental-compaction-batch-limit", "0"]).compactionBatchLimit == 1_000)
    }
}
