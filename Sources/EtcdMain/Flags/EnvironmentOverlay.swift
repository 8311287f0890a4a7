/// Fills flags from `PREFIX_*` environment variables, as etcd does with `ETCD_*`.
///
/// A flag given on the command line wins over its variable. Go etcd refuses to start in that case; we
/// log a warning instead, because container images set defaults in the environment that operators
/// override with flags. Variables with the prefix that match no flag are reported too.
public struct EnvironmentOverlay: Sendable {
    public let prefix: String
    /// Variables with the prefix that this program reads itself rather than as flags.
    public let reserved: Set<String>

    /// An overlay for variables named `prefix_*`, ignoring `reserved` names.
    public init(prefix: String, reserved: Set<String> = []) {
        self.prefix = prefix
        self.reserved = reserved
    }

    /// Applies `environment` to `flags` and returns the warnings to log, one sentence each.
    public func apply(
        _ environment: [String: String],
        to flags: inout ParsedFlags,
        parser: FlagParser
    ) throws(FlagError) -> [String] {
        var warnings: [String] = []
        var known: Set<String> = self.reserved
        for definition in parser.definitions {
            let variable = definition.environmentName(prefix: self.prefix)
            known.insert(variable)
            guard !self.reserved.contains(variable), let value = environment[variable] else { continue }
            if flags.source(definition.name) == .commandLine {
                warnings.append(
                    "flag --\(definition.name) overrides environment variable \(variable)=\(value)"
                )
                continue
            }
            if definition.isBoolean, GoValue.parseBool(value) == nil {
                throw .invalidValue(name: definition.name, value: value, reason: "parse error")
            }
            flags.set(definition.name, value, from: .environment)
        }
        for (variable, value) in environment.sorted(by: { $0.key < $1.key })
        where variable.hasPrefix(self.prefix + "_") && !known.contains(variable) {
            warnings.append("unrecognized environment variable \(variable)=\(value)")
        }
        return warnings
    }
}
