/// Why a command line could not be parsed, worded as Go's `flag` package words it.
public enum FlagError: Error, Equatable, CustomStringConvertible {
    /// `-h`, `-help` or `--help` was given.
    case helpRequested
    /// A flag that the program does not define.
    case undefined(name: String)
    /// A value flag at the end of the arguments, with nothing after it.
    case needsArgument(name: String)
    /// An argument such as `---x` or `-=x`.
    case badSyntax(argument: String)
    /// A value the flag's type cannot take; `reason` says why.
    case invalidValue(name: String, value: String, reason: String)
    /// A boolean flag given something other than Go's boolean spellings.
    case invalidBoolean(name: String, value: String)

    public var description: String {
        switch self {
        case .helpRequested:
            return "flag: help requested"
        case .undefined(let name):
            return "flag provided but not defined: -\(name)"
        case .needsArgument(let name):
            return "flag needs an argument: -\(name)"
        case .badSyntax(let argument):
            return "bad flag syntax: \(argument)"
        case .invalidValue(let name, let value, let reason):
            return "invalid value \"\(value)\" for flag -\(name): \(reason)"
        case .invalidBoolean(let name, let value):
            return "invalid boolean value \"\(value)\" for -\(name): parse error"
        }
    }
}
