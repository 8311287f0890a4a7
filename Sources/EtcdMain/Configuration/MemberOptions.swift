import Logging

/// The member's configuration, typed and validated, from flags, `ETCD_*` variables or a config file.
public struct MemberOptions: Sendable {
    public var name: String
    public var dataDirectory: String
    public var listenClientURLs: [EtcdURL]
    public var advertiseClientURLs: [EtcdURL]
    public var maxRequestBytes: Int
    public var keepaliveMinimumPingInterval: Duration
    public var keepaliveInterval: Duration
    public var keepaliveTimeout: Duration
    public var logOutputs: [String]
    public var logLevel: Logger.Level

    /// Reads and checks every option; the first bad value stops with etcd's message for it.
    public init(flags: ParsedFlags) throws(ConfigurationError) {
        self.name = flags.value("name")
        let dataDirectory = flags.value("data-dir")
        self.dataDirectory = flags.isSet("data-dir") ? dataDirectory : "\(self.name).etcd"
        self.listenClientURLs = try Self.urls(flags, "listen-client-urls")
        self.advertiseClientURLs = try Self.urls(flags, "advertise-client-urls")
        if flags.isSet("listen-client-urls") && !flags.isSet("advertise-client-urls") {
            throw ConfigurationError("--advertise-client-urls is required when --listen-client-urls is set explicitly")
        }
        for url in self.listenClientURLs where !url.scheme.hasPrefix("unix") {
            guard url.host == "localhost" || url.hostIsIPAddress else {
                throw ConfigurationError("expected IP in URL for binding (\(url))")
            }
        }
        self.maxRequestBytes = try Self.unsigned(flags, "max-request-bytes")
        self.keepaliveMinimumPingInterval = try Self.duration(flags, "grpc-keepalive-min-time")
        self.keepaliveInterval = try Self.duration(flags, "grpc-keepalive-interval")
        self.keepaliveTimeout = try Self.duration(flags, "grpc-keepalive-timeout")
        guard flags.value("logger") == "zap" else {
            throw ConfigurationError("unknown logger option \"\(flags.value("logger"))\"")
        }
        self.logOutputs = flags.value("log-outputs").split(separator: ",").map(String.init)
        self.logLevel = try Self.logLevel(flags.value("log-level"))
    }

    private static func urls(_ flags: ParsedFlags, _ name: String) throws(ConfigurationError) -> [EtcdURL] {
        do {
            return try EtcdURL.parseList(flags.value(name))
        } catch {
            let value = flags.value(name)
            throw ConfigurationError(FlagError.invalidValue(name: name, value: value, reason: error.message).description)
        }
    }

    private static func unsigned(_ flags: ParsedFlags, _ name: String) throws(ConfigurationError) -> Int {
        let text = flags.value(name)
        guard let value = GoValue.parseUInt64(text), value <= UInt64(Int.max) else {
            throw ConfigurationError(FlagError.invalidValue(name: name, value: text, reason: "parse error").description)
        }
        return Int(value)
    }

    private static func duration(_ flags: ParsedFlags, _ name: String) throws(ConfigurationError) -> Duration {
        let text = flags.value(name)
        guard let value = GoValue.parseDuration(text) else {
            throw ConfigurationError(FlagError.invalidValue(name: name, value: text, reason: "parse error").description)
        }
        return value
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
