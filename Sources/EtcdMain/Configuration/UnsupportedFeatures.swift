import Membership

/// Checks the flags of etcd features this member does not have (``MemberFlags/featuresLeftOff``): each
/// may keep the value that leaves its feature off, the way units and config files written for etcd set
/// them; a value that would turn one on stops the member with the reason, rather than let it run without
/// what the operator asked for. Values etcd itself refuses get etcd's flag error.
enum UnsupportedFeatures {
    static func check(_ flags: ParsedFlags, _ reader: OptionReader) throws(ConfigurationError) {
        let switchedOn: [(flag: String, feature: String, hint: String?)] = [
            ("enable-v2", "the v2 API", nil),
            ("enable-pprof", "Go's pprof profiling", "this member is not a Go program; profile it with perf"),
            ("experimental-enable-distributed-tracing", "distributed tracing", nil),
            ("enable-log-rotation", "log rotation", "log to stderr for journald or docker, or rotate the file with logrotate's copytruncate"),
        ]
        for (flag, feature, hint) in switchedOn where try reader.boolean(flag) {
            throw Self.unsupported(flag, flags, feature, hint: hint)
        }
        for (flag, feature) in [("experimental-enable-v2v3", "the v2 API"), ("discovery", "discovery"), ("discovery-srv", "DNS discovery")]
        where !flags.value(flag).isEmpty {
            throw Self.unsupported(flag, flags, feature, hint: "list the members in --initial-cluster")
        }
        switch flags.value("proxy") {
        case "off": break
        case "readonly", "on": throw Self.unsupported("proxy", flags, "the v2 proxy", hint: nil)
        default: throw Self.invalid("proxy", flags, "invalid value")
        }
        guard ["exit", "proxy"].contains(flags.value("discovery-fallback")) else {
            throw Self.invalid("discovery-fallback", flags, "invalid value")
        }
        let phase = flags.value("v2-deprecation")
        guard ["not-yet", "write-only", "write-only-drop-data", "gone"].contains(phase) else {
            throw Self.invalid("v2-deprecation", flags, "invalid value \"\(phase)\"")
        }
        for flag in ["proxy-failure-wait", "proxy-refresh-interval", "proxy-dial-timeout", "proxy-write-timeout", "proxy-read-timeout"] {
            _ = try reader.unsigned(flag)
        }
        _ = try reader.boolean("experimental-txn-mode-write-with-shared-buffer")
    }

    private static func unsupported(_ flag: String, _ flags: ParsedFlags, _ feature: String, hint: String?) -> ConfigurationError {
        ConfigurationError("--\(flag)=\(flags.value(flag)): \(feature) is not supported by this member" + (hint.map { "; \($0)" } ?? ""))
    }

    private static func invalid(_ flag: String, _ flags: ParsedFlags, _ reason: String) -> ConfigurationError {
        ConfigurationError(FlagError.invalidValue(name: flag, value: flags.value(flag), reason: reason).description)
    }
}
