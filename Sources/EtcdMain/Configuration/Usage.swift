import EtcdProto

/// The texts `etcd` prints for `--help`, for flag errors and for `--version`.
public enum Usage {
    /// Printed after a flag error, as Go's flag package prints the program's short usage.
    public static let short = """
        Usage:

          etcd [flags]
            Start an etcd member.

          etcd --version
            Show the version of etcd.

          etcd -h | --help
            Show the help information about etcd.
        """

    /// The full help: the short usage, then every flag with its default and its environment variable.
    public static func full(flags: [FlagDefinition]) -> String {
        var text = short + "\n\nMember flags (each flag can also be set by its environment variable, shown after it):\n"
        for flag in flags {
            let shownDefault = flag.isBoolean ? flag.defaultValue : "'\(flag.defaultValue)'"
            text += "\n  --\(flag.name) \(shownDefault)   [\(flag.environmentName(prefix: "ETCD"))]\n"
            text += "    \(flag.usage)\n"
        }
        text += """

            A flag given on the command line wins over its environment variable; the member logs a warning.
            """
        return text
    }

    /// `etcd --version`, with the same first line as Go etcd so scripts that read it keep working.
    public static func version(architecture: String) -> String {
        """
        etcd Version: \(EtcdVersion.server)
        Git SHA: not provided
        Go Version: none (built with Swift)
        Go OS/Arch: linux/\(architecture)
        """
    }
}
