import GoFormat

/// The fields of a compare after its target's parenthesis, read the way Go's `Sscanf` reads the format
/// `%q) %s %q`: a quoted key, a closing parenthesis, an operator word and a quoted value, stopping at the
/// first that does not match. `fields` counts what was read, so an error can show what was understood.
struct CompareScan {
    var key: [UInt8] = []
    var op = ""
    var value: [UInt8] = []
    var fields = 0

    init(_ text: Substring) {
        guard let key = GoQuote.unquote(prefixOf: text) else { return }
        self.key = key.value
        self.fields = 1
        guard key.rest.hasPrefix(")") else { return }
        let afterParenthesis = key.rest.dropFirst().drop(while: Self.isSpace)
        let op = afterParenthesis.prefix { !Self.isSpace($0) }
        guard !op.isEmpty else { return }
        self.op = String(op)
        self.fields = 2
        guard let value = GoQuote.unquote(prefixOf: afterParenthesis.dropFirst(op.count)) else { return }
        self.value = value.value
        self.fields = 3
    }

    private static func isSpace(_ character: Character) -> Bool {
        character == " " || character == "\t" || character == "\r" || character == "\n"
    }
}
