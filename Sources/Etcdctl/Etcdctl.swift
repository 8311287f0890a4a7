import EtcdProto
import Foundation
import GoFormat

/// The `etcdctl` program: etcdctl 3.5's commands, flags, `ETCDCTL_*` variables, output and exit codes.
/// The executable's `main.swift` only forwards to ``run(arguments:environment:)``.
public enum Etcdctl {
    /// The flags of every command (cobra's persistent flags of the root), with etcdctl's defaults.
    static let globalFlags: [Flag] = [
        Flag("endpoints", .stringSlice, "127.0.0.1:2379", "gRPC endpoints"),
        Flag("debug", .bool, "false", "enable client-side debug logging"),
        Flag("write-out", .string, "simple", "set the output format (fields, json, protobuf, simple, table)", shorthand: "w"),
        Flag("hex", .bool, "false", "print byte strings as hex encoded strings"),
        Flag("dial-timeout", .duration, "2s", "dial timeout for client connections"),
        Flag("command-timeout", .duration, "5s", "timeout for short running command (excluding dial timeout)"),
        Flag("keepalive-time", .duration, "2s", "keepalive time for client connections"),
        Flag("keepalive-timeout", .duration, "6s", "keepalive timeout for client connections"),
        Flag("insecure-transport", .bool, "true", "disable transport security for client connections"),
        Flag("insecure-discovery", .bool, "true", "accept insecure SRV records describing cluster endpoints"),
        Flag(
            "insecure-skip-tls-verify", .bool, "false",
            "skip server certificate verification (CAUTION: this option should be enabled only for testing purposes)"
        ),
        Flag("cert", .string, "", "identify secure client using this TLS certificate file"),
        Flag("key", .string, "", "identify secure client using this TLS key file"),
        Flag("cacert", .string, "", "verify certificates of TLS-enabled secure servers using this CA bundle"),
        Flag("user", .string, "", "username[:password] for authentication (prompt if password is not supplied)"),
        Flag("password", .string, "", "password for authentication (if this option is used, --user option shouldn't include password)"),
        Flag("discovery-srv", .string, "", "domain name to query for SRV records describing cluster endpoints", shorthand: "d"),
        Flag("discovery-srv-name", .string, "", "service name to query when using DNS discovery"),
    ]

    static let root: Command = Command(
        "etcdctl", "A simple command line client for etcd3.",
        subcommands: [
            KVCommands.get, KVCommands.put, KVCommands.del, TxnCommand.txn, KVCommands.compaction,
            MaintenanceCommands.alarm, MaintenanceCommands.defrag, EndpointCommands.endpoint, MaintenanceCommands.moveLeader,
            WatchCommand.watch, MaintenanceCommands.version, LeaseCommands.lease, MemberCommands.member,
            SnapshotCommands.snapshot, MirrorCommand.makeMirror, RecipeCommands.lock, RecipeCommands.elect,
            AuthCommands.auth, UserCommands.user, RoleCommands.role, CheckCommands.check, HelpCommand.help,
        ]
    )

    /// Runs etcdctl and returns its exit status.
    public static func run(arguments: [String], environment: [String: String]) async -> Int32 {
        let console = Console()
        let parser = CommandLineParser(root: self.root, globalFlags: self.globalFlags)
        let parsed: CommandLineParser.Parsed
        do throws(CommandError) {
            parsed = try parser.parse(arguments)
        } catch {
            // cobra prints the error, then the usage (etcdctl's usage function writes it to standard
            // output, so cobra's own copy is an empty line), then etcdctl prints the error again.
            let path = parser.pathForUsage(arguments)
            console.error("Error: \(error.message)\n")
            console.out(Usage.text(for: path, globalFlags: self.globalFlags))
            console.error("\nError: \(error.message)\n")
            return error.status
        }
        let command = parsed.path.last!
        if parsed.path.count == 1, let word = parsed.positional.first {
            let message = "unknown command \(GoQuote.quote(word)) for \"etcdctl\""
            console.error("Error: \(message)\nRun 'etcdctl --help' for usage.\n")
            console.error("Error: \(message)\n")
            return 1
        }
        guard let action = command.action, !parsed.help else {
            console.out(Usage.text(for: parsed.path, globalFlags: self.globalFlags))
            return 0
        }
        var values = parsed.values
        var given = parsed.set
        do throws(CommandError) {
            for warning in try Self.applyEnvironment(environment, to: &values, given: &given) { console.error(warning) }
        } catch {
            console.error("Error: \(error.message)\n")
            return error.status
        }
        let defaults = Dictionary((self.globalFlags + command.flags).map { ($0.name, $0.defaultValue) }) { first, _ in first }
        let formatName = values["write-out"] ?? "simple"
        guard let format = OutputFormat(rawValue: formatName) else {
            console.error("Error: unsupported output format\n")
            return CommandError.Exit.badFeature.rawValue
        }
        let printer = Printer(format: format, hex: GoParse.bool(values["hex"] ?? "false") ?? false, console: console)
        let invocation = Invocation(
            path: parsed.path.map(\.name), arguments: parsed.positional, beforeSeparator: parsed.beforeSeparator,
            values: values, given: given,
            defaults: defaults, console: console, printer: printer
        )
        do {
            try await action(invocation)
            return 0
        } catch let error as CommandError {
            if !error.message.isEmpty { console.error("Error: \(error.message)\n") }
            return error.status
        } catch {
            console.error("Error: \(error)\n")
            return 1
        }
    }

    /// etcdctl's `ETCDCTL_*` variables: each global flag not given on the command line takes its
    /// variable's value. A variable for a flag that is also given is refused (as Go etcdctl 3.5 refuses
    /// it); an `ETCDCTL_` variable no flag has is warned about (`ETCDCTL_API` is accepted silently).
    /// Returns the warnings to print.
    static func applyEnvironment(
        _ environment: [String: String],
        to values: inout [String: String],
        given: inout Set<String>
    ) throws(CommandError) -> [String] {
        var known: Set<String> = ["ETCDCTL_API", "ETCDCTL_WATCH_KEY", "ETCDCTL_WATCH_RANGE_END"]
        for flag in self.globalFlags {
            let variable = "ETCDCTL_" + flag.name.uppercased().replacingOccurrences(of: "-", with: "_")
            known.insert(variable)
            guard let value = environment[variable] else { continue }
            if given.contains(flag.name) {
                throw CommandError(
                    .error,
                    "conflicting environment variable \(variable) is shadowed by corresponding command-line flag (either unset environment variable or disable flag)"
                )
            }
            try flag.validate(value)
            values[flag.name] = value
            given.insert(flag.name)
        }
        return environment.keys.sorted().filter { $0.hasPrefix("ETCDCTL_") && !known.contains($0) }.map { variable in
            "unrecognized environment variable \(variable)=\(environment[variable]!)\n"
        }
    }
}
