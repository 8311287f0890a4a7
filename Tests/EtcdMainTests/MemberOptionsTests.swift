import EtcdMain
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
        #expect(
            throws: ConfigurationError(
                #"invalid value "localhost:2379" for flag -listen-client-urls: URL scheme must be http, https, unix, or unixs: localhost:2379"#
            )
        ) {
            try options(["--listen-client-urls", "localhost:2379", "--advertise-client-urls", "http://a:1"])
        }
    }
}
