import Foundation
import Membership
import Yams

/// Reads `--config-file`: a YAML mapping whose keys are the flag names, as etcd's `etcd.conf.yml`. Values
/// follow Go's YAML decoding of etcd's config struct: durations are integer nanoseconds, URL lists are
/// comma-separated strings, `log-outputs` may be a sequence. When a config file is given, etcd ignores
/// every other flag and variable; so do we.
public enum ConfigFile {
    /// The flags the keys of `client-transport-security` and `peer-transport-security` stand for.
    static let transportSecurityFlags: [String: [String: String]] = [
        "client-transport-security": [
            "cert-file": "cert-file", "key-file": "key-file", "client-cert-auth": "client-cert-auth",
            "trusted-ca-file": "trusted-ca-file", "auto-tls": "auto-tls", "crl-file": "client-crl-file",
            "allowed-hostname": "client-cert-allowed-hostname",
        ],
        "peer-transport-security": [
            "cert-file": "peer-cert-file", "key-file": "peer-key-file", "client-cert-auth": "peer-client-cert-auth",
            "trusted-ca-file": "peer-trusted-ca-file", "auto-tls": "peer-auto-tls", "crl-file": "peer-crl-file",
            "allowed-cn": "peer-cert-allowed-cn", "allowed-hostname": "peer-cert-allowed-hostname",
        ],
    ]

    /// The flags the file sets, and warnings for keys it has that no flag has.
    public static func load(
        path: String,
        parser: FlagParser
    ) throws(ConfigurationError) -> (flags: ParsedFlags, warnings: [String]) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError("cannot read config file \(path): \(error.localizedDescription)")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw ConfigurationError("error unmarshaling config file \(path): \(error)")
        }
        var flags = parser.defaults
        guard let root else { return (flags, []) }
        guard let mapping = root.mapping else {
            throw ConfigurationError("error unmarshaling config file \(path): the top level must be a mapping of flag names")
        }
        var warnings: [String] = []
        for (keyNode, valueNode) in mapping {
            guard let key = keyNode.string else { continue }
            if let nested = Self.transportSecurityFlags[key] {
                for (innerKey, innerValue) in valueNode.mapping ?? [:] {
                    guard let name = innerKey.string.flatMap({ nested[$0] }), let definition = parser.definition(name) else {
                        warnings.append("unknown key \(key).\(innerKey.string ?? "?") in config file \(path) is ignored")
                        continue
                    }
                    flags.set(name, try Self.text(of: innerValue, for: definition, path: path), from: .configFile)
                }
                continue
            }
            guard let definition = parser.definition(key), key != "config-file", key != "version" else {
                warnings.append("unknown key \(key) in config file \(path) is ignored")
                continue
            }
            flags.set(key, try Self.text(of: valueNode, for: definition, path: path), from: .configFile)
        }
        return (flags, warnings)
    }

    private static func text(of node: Node, for flag: FlagDefinition, path: String) throws(ConfigurationError) -> String {
        func invalid(_ expectation: String) -> ConfigurationError {
            ConfigurationError("error unmarshaling config file \(path): \(flag.name) must be \(expectation)")
        }
        switch (flag.kind, node) {
        case (.list, .sequence(let sequence)):
            return sequence.compactMap(\.string).joined(separator: ",")
        case (.duration, .scalar(let scalar)):
            guard let nanoseconds = Int64(scalar.string) else { throw invalid("an integer number of nanoseconds") }
            return "\(nanoseconds)ns"
        case (.boolean, .scalar(let scalar)):
            guard let value = Bool(scalar.string.lowercased()) else { throw invalid("true or false") }
            return String(value)
        case (.integer, .scalar(let scalar)):
            guard Int64(scalar.string) != nil else { throw invalid("an integer") }
            return scalar.string
        case (.text, .scalar(let scalar)), (.list, .scalar(let scalar)):
            return scalar.string
        default:
            throw invalid("a single value")
        }
    }
}
