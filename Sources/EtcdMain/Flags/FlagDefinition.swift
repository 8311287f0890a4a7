/// One command-line flag of a Go-style program: its name without dashes, its default as text, a line of
/// help, and the kind of value, which decides how a config file's YAML value maps to the flag's text.
/// Boolean flags take no separate argument (`--flag`, `--flag=false`), as in Go's `flag` package.
public struct FlagDefinition: Sendable {
    /// The kind of value a flag takes.
    public enum Kind: Sendable, Equatable {
        case text
        case boolean
        case integer
        /// A Go duration (`5s`); in a config file, an integer number of nanoseconds as Go's YAML decoding wants.
        case duration
        /// A comma-separated list; in a config file, a string or a YAML sequence.
        case list
    }

    public var name: String
    public var defaultValue: String
    public var usage: String
    public var kind: Kind

    /// Whether the flag is a boolean, which Go's flag package parses without a separate argument.
    public var isBoolean: Bool { self.kind == .boolean }

    /// A flag that takes text.
    public static func value(_ name: String, default defaultValue: String, _ usage: String) -> FlagDefinition {
        FlagDefinition(name: name, defaultValue: defaultValue, usage: usage, kind: .text)
    }

    /// A flag that takes an integer.
    public static func integer(_ name: String, default defaultValue: Int64, _ usage: String) -> FlagDefinition {
        FlagDefinition(name: name, defaultValue: String(defaultValue), usage: usage, kind: .integer)
    }

    /// A flag that takes a Go duration.
    public static func duration(_ name: String, default defaultValue: String, _ usage: String) -> FlagDefinition {
        FlagDefinition(name: name, defaultValue: defaultValue, usage: usage, kind: .duration)
    }

    /// A flag that takes a comma-separated list.
    public static func list(_ name: String, default defaultValue: String, _ usage: String) -> FlagDefinition {
        FlagDefinition(name: name, defaultValue: defaultValue, usage: usage, kind: .list)
    }

    /// A boolean flag.
    public static func boolean(_ name: String, default defaultValue: Bool, _ usage: String) -> FlagDefinition {
        FlagDefinition(name: name, defaultValue: String(defaultValue), usage: usage, kind: .boolean)
    }

    /// The environment variable that can set this flag: `PREFIX_` and the name upper-cased, `-` as `_`.
    public func environmentName(prefix: String) -> String {
        prefix + "_" + String(self.name.uppercased().map { $0 == "-" ? "_" : $0 })
    }
}
