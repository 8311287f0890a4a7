/// Where a flag's value came from.
public enum FlagSource: Sendable, Equatable {
    case commandLine
    case environment
    case configFile
}

/// The flags a command line and environment set, over a table of ``FlagDefinition``s.
public struct ParsedFlags: Sendable {
    private let definitions: [String: FlagDefinition]
    private var explicit: [String: (value: String, source: FlagSource)] = [:]
    /// Arguments left after the flags (Go stops at the first argument that is not a flag).
    public internal(set) var positional: [String] = []

    init(definitions: [String: FlagDefinition]) {
        self.definitions = definitions
    }

    /// The flag's value: the one given, or its default.
    public func value(_ name: String) -> String {
        if let given = self.explicit[name] { return given.value }
        guard let definition = self.definitions[name] else {
            preconditionFailure("flag \(name) is not defined")
        }
        return definition.defaultValue
    }

    /// Where the flag's value came from, or nil when it has its default.
    public func source(_ name: String) -> FlagSource? {
        self.explicit[name]?.source
    }

    /// Whether the flag was given on the command line, in the environment or in a config file.
    public func isSet(_ name: String) -> Bool {
        self.explicit[name] != nil
    }

    mutating func set(_ name: String, _ value: String, from source: FlagSource) {
        self.explicit[name] = (value, source)
    }
}

/// Parses command lines as Go's `flag` package does, which is what etcd's users type: one or two dashes,
/// `-name value` or `-name=value`, booleans as `-name` or `-name=false`, parsing stops at the first
/// non-flag argument or after `--`.
public struct FlagParser: Sendable {
    /// The flags, in the order help lists them.
    public let definitions: [FlagDefinition]
    private let byName: [String: FlagDefinition]

    /// Creates a parser for `definitions`; names must be unique.
    public init(_ definitions: [FlagDefinition]) {
        self.definitions = definitions
        self.byName = Dictionary(definitions.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in
            preconditionFailure("flag \(first.name) is defined twice")
        })
    }

    /// Every flag at its default, as a config file starts.
    public var defaults: ParsedFlags {
        ParsedFlags(definitions: self.byName)
    }

    /// The definition of `name`, if there is one.
    public func definition(_ name: String) -> FlagDefinition? {
        self.byName[name]
    }

    /// Parses `arguments` (without the program name).
    public func parse(_ arguments: [String]) throws(FlagError) -> ParsedFlags {
        var parsed = ParsedFlags(definitions: self.byName)
        var remaining = arguments[...]
        while let argument = remaining.first {
            guard argument.count >= 2, argument.hasPrefix("-") else { break }
            remaining = remaining.dropFirst()
            if argument == "--" { break }
            let body = argument.hasPrefix("--") ? argument.dropFirst(2) : argument.dropFirst()
            guard let first = body.first, first != "-", first != "=" else {
                throw .badSyntax(argument: argument)
            }
            let name: String
            var value: String?
            if let equals = body.firstIndex(of: "=") {
                name = String(body[..<equals])
                value = String(body[body.index(after: equals)...])
            } else {
                name = String(body)
            }
            guard let definition = self.byName[name] else {
                if name == "h" || name == "help" { throw .helpRequested }
                throw .undefined(name: name)
            }
            if definition.isBoolean {
                let text = value ?? "true"
                guard GoValue.parseBool(text) != nil else { throw .invalidBoolean(name: name, value: text) }
                parsed.set(name, text, from: .commandLine)
                continue
            }
            if value == nil {
                guard let next = remaining.first else { throw .needsArgument(name: name) }
                value = next
                remaining = remaining.dropFirst()
            }
            parsed.set(name, value!, from: .commandLine)
        }
        parsed.positional = Array(remaining)
        return parsed
    }
}
