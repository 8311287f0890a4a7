/// Splits a command line as cobra and pflag do: the command path (subcommand names, found among the
/// arguments that are not flags), then the flags of that command and the global ones, anywhere on the
/// line (`--name=value`, `--name value`, `-w value`, `-wvalue`, booleans alone), and the positional
/// arguments; `--` ends the flags.
struct CommandLineParser {
    let root: Command
    let globalFlags: [Flag]

    struct Parsed {
        var path: [Command]
        var values: [String: String]
        var set: Set<String>
        var positional: [String]
        /// How many positional arguments came before a `--`, when there was one.
        var beforeSeparator: Int?
        var help: Bool
    }

    func parse(_ arguments: [String]) throws(CommandError) -> Parsed {
        let path = self.commandPath(arguments)
        let command = path.last!
        let flags = command.flags + self.globalFlags + [Self.help(for: command)]
        var values: [String: String] = [:]
        var set: Set<String> = []
        var positional: [String] = []
        var beforeSeparator: Int?
        var remaining = arguments[...]
        var skippedNames = path.dropFirst().map(\.name)
        while let argument = remaining.first {
            remaining = remaining.dropFirst()
            if argument == "--" {
                beforeSeparator = positional.count
                positional += remaining
                break
            }
            if argument.hasPrefix("--") {
                let body = argument.dropFirst(2)
                let name = String(body.prefix { $0 != "=" })
                guard let flag = flags.first(where: { $0.name == name }) else {
                    throw CommandError(.usage, "unknown flag: --\(name)")
                }
                let value: String
                if let equals = body.firstIndex(of: "=") {
                    value = String(body[body.index(after: equals)...])
                } else if flag.takesValue {
                    guard let next = remaining.first else { throw CommandError(.usage, "flag needs an argument: --\(name)") }
                    value = next
                    remaining = remaining.dropFirst()
                } else {
                    value = "true"
                }
                try flag.validate(value)
                Self.store(flag, value, in: &values, set: &set)
            } else if argument.hasPrefix("-"), argument.count > 1 {
                var letters = Substring(argument.dropFirst())
                while let letter = letters.first {
                    letters = letters.dropFirst()
                    guard let flag = flags.first(where: { $0.shorthand == letter }) else {
                        throw CommandError(.usage, "unknown shorthand flag: '\(letter)' in \(argument)")
                    }
                    let value: String
                    if letters.first == "=" {
                        value = String(letters.dropFirst())
                        letters = ""
                    } else if !flag.takesValue {
                        value = "true"
                    } else if !letters.isEmpty {
                        value = String(letters)
                        letters = ""
                    } else {
                        guard let next = remaining.first else {
                            throw CommandError(.usage, "flag needs an argument: '\(letter)' in \(argument)")
                        }
                        value = next
                        remaining = remaining.dropFirst()
                    }
                    try flag.validate(value)
                    Self.store(flag, value, in: &values, set: &set)
                }
            } else if let first = skippedNames.first, self.isPathWord(argument, first) {
                skippedNames.removeFirst()
            } else {
                positional.append(argument)
            }
        }
        return Parsed(
            path: path, values: values, set: set, positional: positional, beforeSeparator: beforeSeparator,
            help: values["help"] == "true"
        )
    }

    /// The commands whose usage a refused command line shows.
    func pathForUsage(_ arguments: [String]) -> [Command] {
        self.commandPath(arguments)
    }

    /// The commands the line names, from the root: each non-flag word that names a subcommand of the last
    /// one found (skipping the values of flags known to take one).
    private func commandPath(_ arguments: [String]) -> [Command] {
        var path = [self.root]
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--" { break }
            if argument.hasPrefix("-") {
                let known = path.last!.flags + self.globalFlags
                if argument.hasPrefix("--"), !argument.contains("="),
                    let flag = known.first(where: { $0.name == argument.dropFirst(2) }), flag.takesValue
                {
                    index += 1
                } else if !argument.hasPrefix("--"), argument.count == 2,
                    let flag = known.first(where: { $0.shorthand == argument.last }), flag.takesValue
                {
                    index += 1
                }
                continue
            }
            guard let next = path.last!.subcommand(argument) else { break }
            path.append(next)
        }
        return path
    }

    private func isPathWord(_ argument: String, _ name: String) -> Bool {
        argument == name || name.hasPrefix(argument)
    }

    private static func store(_ flag: Flag, _ value: String, in values: inout [String: String], set: inout Set<String>) {
        if flag.kind == .stringSlice, set.contains(flag.name), let existing = values[flag.name] {
            values[flag.name] = existing + "," + value
        } else {
            values[flag.name] = value
        }
        set.insert(flag.name)
    }

    /// cobra's `-h, --help` flag of every command.
    static func help(for command: Command) -> Flag {
        Flag("help", .bool, "false", "help for \(command.name)", shorthand: "h")
    }
}
