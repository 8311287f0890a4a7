import GoFormat

/// One flag of a command, as Go's pflag defines it: a long name, maybe a one-letter shorthand, a kind
/// (which decides how its value is parsed and whether it takes one), a default and a usage line.
struct Flag: Sendable {
    enum Kind: Sendable {
        case bool, string, int64, uint64, duration, stringSlice
    }

    let name: String
    let shorthand: Character?
    let kind: Kind
    let defaultValue: String
    let usage: String

    init(_ name: String, _ kind: Kind, _ defaultValue: String, _ usage: String, shorthand: Character? = nil) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.usage = usage
        self.shorthand = shorthand
    }

    /// Whether the flag stands alone (`--prefix`) rather than taking the next argument.
    var takesValue: Bool { self.kind != .bool }

    /// Checks `text` as a value of this flag; the error is pflag's text.
    func validate(_ text: String) throws(CommandError) {
        let valid: Bool
        let reason: String
        switch self.kind {
        case .bool:
            valid = GoParse.bool(text) != nil
            reason = "strconv.ParseBool: parsing \(GoQuote.quote(text)): invalid syntax"
        case .int64:
            valid = GoParse.int64(text) != nil
            reason = "strconv.ParseInt: parsing \(GoQuote.quote(text)): invalid syntax"
        case .uint64:
            valid = GoParse.uint64(text) != nil
            reason = "strconv.ParseUint: parsing \(GoQuote.quote(text)): invalid syntax"
        case .duration:
            valid = GoParse.duration(text) != nil
            reason = "time: invalid duration \(GoQuote.quote(text))"
        case .string, .stringSlice:
            valid = true
            reason = ""
        }
        if !valid {
            throw CommandError(.usage, "invalid argument \(GoQuote.quote(text)) for \(self.spelling) flag: \(reason)")
        }
    }

    /// How pflag names the flag in its errors: `-w, --write-out` or `--limit`.
    var spelling: String {
        self.shorthand.map { "\"-\($0), --\(self.name)\"" } ?? "\"--\(self.name)\""
    }

    /// The default as cobra's usage prints it: `[=false]` for booleans, `="text"` for strings, `=[a,b]` for
    /// lists, `=2s` for durations and numbers.
    var usageDefault: String {
        switch self.kind {
        case .bool: "[=\(self.defaultValue)]"
        case .string: "=\"\(self.defaultValue)\""
        case .stringSlice: "=[\(self.defaultValue)]"
        case .int64, .uint64, .duration: "=\(self.defaultValue)"
        }
    }
}
