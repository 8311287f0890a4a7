/// One command-line flag of a Go-style program: its name without dashes, its default as text and a line of
/// help. Boolean flags take no separate argument (`--flag`, `--flag=false`), as in Go's `flag` package.
public struct FlagDefinition: Sendable {
    public var name: String
    public var defaultValue: String
    public var usage: String
    public var isBoolean: Bool

    /// A flag that takes a value.
    public static func value(_ name: String, default defaultValue: String, _ usage: String) -> FlagDefinition {
        FlagDefinition(name: name, defaultValue: defaultValue, usage: usage, isBoolean: false)
    }

    /// A boolean flag.
    public static func boolean(_ name: String, default defaultValue: Bool, _ usage: String) -> FlagDefinition {
        FlagDefinition(name: name, defaultValue: String(defaultValue), usage: usage, isBoolean: true)
    }

    /// The environment variable that can set this flag: `PREFIX_` and the name upper-cased, `-` as `_`.
    public func environmentName(prefix: String) -> String {
        prefix + "_" + String(self.name.uppercased().map { $0 == "-" ? "_" : $0 })
    }
}
