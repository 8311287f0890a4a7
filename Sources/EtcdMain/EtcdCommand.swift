import Foundation
import Logging
import Telemetry

/// The `etcd` program: reads flags, `ETCD_*` variables or the config file, then runs a member.
/// The executable's `main.swift` only forwards to ``run(arguments:environment:)``.
public enum EtcdCommand {
    /// Runs the program and returns its exit status: 0 after `--help`, `--version` or a clean shutdown,
    /// 2 for a command line Go's flag package would reject, 1 for a configuration the member cannot use.
    public static func run(arguments: [String], environment: [String: String]) async -> Int32 {
        let parser = FlagParser(MemberFlags.all)
        var flags: ParsedFlags
        do {
            flags = try parser.parse(arguments)
        } catch .helpRequested {
            print(Usage.full(flags: parser.definitions))
            return 0
        } catch {
            printError("\(error)\n\(Usage.short)")
            return 2
        }
        if let extra = flags.positional.first {
            printError("error verifying flags, '\(extra)' is not a valid flag. See 'etcd --help'.")
            return 1
        }
        if GoValue.parseBool(flags.value("version")) == true {
            print(Usage.version(architecture: Architecture.goName))
            return 0
        }
        var warnings: [String]
        do {
            (flags, warnings) = try self.resolve(flags, environment: environment, parser: parser)
        } catch {
            printError("\(error)")
            return error is FlagError ? 2 : 1
        }
        if environment["ETCD_VERSION"] != nil {
            warnings.append("cannot set special environment variable ETCD_VERSION; it is ignored")
        }
        let options: MemberOptions
        do {
            options = try MemberOptions(flags: flags)
        } catch {
            let logger = Logger(label: "etcd") { _ in ZapLogHandler(output: .standardError, level: .info) }
            logger.warning("failed to verify flags", metadata: ["error": "\(error)"])
            return 1
        }
        let logger: Logger
        do {
            logger = try makeLogger(options)
        } catch {
            printError("\(error)")
            return 1
        }
        for warning in warnings {
            logger.warning("\(warning)")
        }
        return await MemberRunner(options: options, logger: logger).run()
    }

    /// Applies the config file, or else the `ETCD_*` variables, to the command line's flags.
    private static func resolve(
        _ commandLine: ParsedFlags,
        environment: [String: String],
        parser: FlagParser
    ) throws -> (ParsedFlags, [String]) {
        let configFile = commandLine.isSet("config-file")
            ? commandLine.value("config-file") : environment["ETCD_CONFIG_FILE"] ?? ""
        if !configFile.isEmpty {
            var (flags, warnings) = try ConfigFile.load(path: configFile, parser: parser)
            warnings.insert(
                "loaded server configuration from \(configFile); other configuration command line flags and "
                    + "environment variables will be ignored if provided",
                at: 0
            )
            return (flags, warnings)
        }
        var flags = commandLine
        let overlay = EnvironmentOverlay(prefix: "ETCD", reserved: MemberFlags.specialVariables)
        let warnings = try overlay.apply(environment, to: &flags, parser: parser)
        return (flags, warnings)
    }

    private static func makeLogger(_ options: MemberOptions) throws -> Logger {
        var outputs: [LogOutput] = []
        for name in options.logOutputs {
            switch name {
            case "default", "stderr": outputs.append(.standardError)
            case "stdout": outputs.append(.standardOutput)
            default: outputs.append(try LogOutput.file(path: name))
            }
        }
        let level = options.logLevel
        return Logger(label: "etcd") { _ in
            MultiplexLogHandler(outputs.map { ZapLogHandler(output: $0, level: level) })
        }
    }

    private static func printError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
