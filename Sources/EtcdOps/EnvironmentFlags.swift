/// Flags from the environment: each connection flag from its `ETCDCTL_*` variable (for the commands that
/// connect to a cluster) and each of a command's own flags from `ETCD_OPS_<FLAG>` (upper case, dashes as
/// underscores), added to the arguments unless the command line gives the flag itself; and the connection
/// flags that are Go booleans mean true when given bare, as in etcdctl.
enum EnvironmentFlags {
    /// A command's own flags (names, and whether each is a switch, set by `true`), and whether it takes the
    /// connection flags.
    static let own: [String: (flags: [(name: String, isSwitch: Bool)], connects: Bool)] = [
        "backup": (BackupCommand.environmentFlags, true),
        "verify": (VerifyCommand.environmentFlags, false),
        "restore": (RestoreCommand.environmentFlags, false),
        "status": (StatusCommand.environmentFlags, true),
        "health": (HealthCommand.environmentFlags, true),
        "defrag": (DefragCommand.environmentFlags, true),
        "member": (MemberReplaceCommand.environmentFlags, true),
    ]

    static func apply(_ environment: [String: String], to given: [String]) -> [String] {
        let arguments = Self.completingBooleans(given)
        guard let command = arguments.first, let (flags, connects) = Self.own[command] else { return arguments }
        let given = Set(arguments.prefix { $0 != "--" }.compactMap { argument -> String? in
            guard argument.hasPrefix("--") else { return nil }
            return String(argument.dropFirst(2).prefix { $0 != "=" })
        })
        var added: [String] = []
        let connection = (connects ? ConnectionOptions.names : []).map { (name: $0, isSwitch: false, variable: "ETCDCTL_" + Self.variable($0)) }
        let owned = flags.map { (name: $0.name, isSwitch: $0.isSwitch, variable: "ETCD_OPS_" + Self.variable($0.name)) }
        for flag in connection + owned where !given.contains(flag.name) {
            guard let value = environment[flag.variable] else { continue }
            if flag.isSwitch {
                if ["1", "t", "true", "TRUE", "True"].contains(value) { added.append("--\(flag.name)") }
            } else {
                added.append("--\(flag.name)=\(value)")
            }
        }
        guard !added.isEmpty else { return arguments }
        if let separator = arguments.firstIndex(of: "--") {
            return Array(arguments[..<separator]) + added + Array(arguments[separator...])
        }
        return arguments + added
    }

    /// The arguments with each connection flag that is a Go boolean, given bare (`--insecure-skip-tls-verify`),
    /// spelled with its value (`--insecure-skip-tls-verify=true`), as pflag reads it.
    private static func completingBooleans(_ arguments: [String]) -> [String] {
        let end = arguments.firstIndex(of: "--") ?? arguments.endIndex
        return arguments.enumerated().map { index, argument in
            guard index < end, argument.hasPrefix("--"), ConnectionOptions.booleans.contains(String(argument.dropFirst(2))) else {
                return argument
            }
            return argument + "=true"
        }
    }

    private static func variable(_ flag: String) -> String {
        flag.uppercased().replacingOccurrences(of: "-", with: "_")
    }
}
