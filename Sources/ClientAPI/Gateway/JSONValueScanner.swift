/// Finds the JSON values of a request body one after another, checking their syntax on the way.
///
/// A gateway request body is one JSON value (the request message), or for a streaming call a sequence of them
/// (`{"ID":"1"}{"ID":"2"}`); text after the value a unary call needs is not read, as etcd's gateway does not
/// read it. Syntax errors are reported in the words of Go's `encoding/json`, which is what etcd's clients see.
struct JSONValueScanner {
    /// A syntax error, with the message etcd's gateway would give for it.
    struct SyntaxError: Error, Equatable {
        let message: String
    }

    /// Deeper nesting is refused: the scanner recurses once per level.
    static let maxDepth = 1_000

    private let bytes: [UInt8]
    private var position = 0

    /// A scanner over `bytes`.
    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The bytes of the next value, or nil when only white space is left.
    mutating func next() throws(SyntaxError) -> ArraySlice<UInt8>? {
        self.skipWhitespace()
        guard self.position < self.bytes.count else { return nil }
        let start = self.position
        try self.value(depth: 0)
        return self.bytes[start..<self.position]
    }

    private mutating func value(depth: Int) throws(SyntaxError) {
        guard depth < Self.maxDepth else { throw SyntaxError(message: "exceeded max depth") }
        switch try self.peek() {
        case UInt8(ascii: "{"): try self.object(depth: depth)
        case UInt8(ascii: "["): try self.array(depth: depth)
        case UInt8(ascii: "\""): try self.string()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try self.number()
        case UInt8(ascii: "t"): try self.literal("true")
        case UInt8(ascii: "f"): try self.literal("false")
        case UInt8(ascii: "n"): try self.literal("null")
        case let other: throw Self.invalid(other, "looking for beginning of value")
        }
    }

    private mutating func object(depth: Int) throws(SyntaxError) {
        try self.elements(closing: UInt8(ascii: "}"), separatorContext: "after object key:value pair") {
            (scanner: inout JSONValueScanner) throws(SyntaxError) in
            let quote = try scanner.peek()
            guard quote == UInt8(ascii: "\"") else { throw Self.invalid(quote, "looking for beginning of object key string") }
            try scanner.string()
            scanner.skipWhitespace()
            let colon = try scanner.take()
            guard colon == UInt8(ascii: ":") else { throw Self.invalid(colon, "after object key") }
            scanner.skipWhitespace()
            try scanner.value(depth: depth + 1)
        }
    }

    private mutating func array(depth: Int) throws(SyntaxError) {
        try self.elements(closing: UInt8(ascii: "]"), separatorContext: "after array element") {
            (scanner: inout JSONValueScanner) throws(SyntaxError) in
            try scanner.value(depth: depth + 1)
        }
    }

    /// The inside of an object or array, from its opening bracket: nothing, or elements separated by commas,
    /// then `closing`.
    private mutating func elements(
        closing: UInt8,
        separatorContext: String,
        element: (inout JSONValueScanner) throws(SyntaxError) -> Void
    ) throws(SyntaxError) {
        self.position += 1
        self.skipWhitespace()
        if try self.peek() == closing {
            self.position += 1
            return
        }
        while true {
            try element(&self)
            self.skipWhitespace()
            switch try self.take() {
            case UInt8(ascii: ","): self.skipWhitespace()
            case closing: return
            case let other: throw Self.invalid(other, separatorContext)
            }
        }
    }

    private mutating func string() throws(SyntaxError) {
        self.position += 1
        while true {
            switch try self.take() {
            case UInt8(ascii: "\""):
                return
            case UInt8(ascii: "\\"):
                let escape = try self.take()
                switch escape {
                case UInt8(ascii: "u"):
                    for _ in 0..<4 {
                        let digit = try self.take()
                        guard Self.isHexDigit(digit) else {
                            throw Self.invalid(digit, "in \\u hexadecimal character escape")
                        }
                    }
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    break
                default:
                    throw Self.invalid(escape, "in string escape code")
                }
            case let byte where byte < 0x20:
                throw Self.invalid(byte, "in string literal")
            default:
                break
            }
        }
    }

    /// A number as JSON spells it: `-`, then `0` or digits not starting with `0`, then a fraction and an
    /// exponent, each optional. What follows it is the enclosing value's to judge.
    private mutating func number() throws(SyntaxError) {
        if self.bytes[self.position] == UInt8(ascii: "-") {
            self.position += 1
            let first = try self.peek()
            guard Self.isDigit(first) else { throw Self.invalid(first, "in numeric literal") }
        }
        if try self.take() != UInt8(ascii: "0") {
            self.skipDigits()
        }
        if self.position < self.bytes.count && self.bytes[self.position] == UInt8(ascii: ".") {
            self.position += 1
            let digit = try self.take()
            guard Self.isDigit(digit) else { throw Self.invalid(digit, "after decimal point in numeric literal") }
            self.skipDigits()
        }
        if self.position < self.bytes.count && (self.bytes[self.position] | 0x20) == UInt8(ascii: "e") {
            self.position += 1
            var digit = try self.take()
            if digit == UInt8(ascii: "+") || digit == UInt8(ascii: "-") {
                digit = try self.take()
            }
            guard Self.isDigit(digit) else { throw Self.invalid(digit, "in exponent of numeric literal") }
            self.skipDigits()
        }
    }

    private mutating func literal(_ word: StaticString) throws(SyntaxError) {
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        self.position += 1
        for letter in expected.dropFirst() {
            let byte = try self.take()
            guard byte == letter else {
                throw Self.invalid(byte, "in literal \(word) (expecting \(Self.quoted(letter)))")
            }
        }
    }

    private mutating func skipWhitespace() {
        while self.position < self.bytes.count {
            switch self.bytes[self.position] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): self.position += 1
            default: return
            }
        }
    }

    private mutating func skipDigits() {
        while self.position < self.bytes.count && Self.isDigit(self.bytes[self.position]) {
            self.position += 1
        }
    }

    private func peek() throws(SyntaxError) -> UInt8 {
        guard self.position < self.bytes.count else { throw SyntaxError(message: "unexpected EOF") }
        return self.bytes[self.position]
    }

    private mutating func take() throws(SyntaxError) -> UInt8 {
        let byte = try self.peek()
        self.position += 1
        return byte
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        Self.isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte | 0x20)
    }

    private static func invalid(_ byte: UInt8, _ context: String) -> SyntaxError {
        SyntaxError(message: "invalid character \(Self.quoted(byte)) \(context)")
    }

    /// A byte in single quotes as Go prints a character: escapes for quotes and control characters, and a
    /// byte above 0x7f read as the code point of the same number.
    static func quoted(_ byte: UInt8) -> String {
        switch byte {
        case UInt8(ascii: "'"): return #"'\''"#
        case 0x07: return #"'\a'"#
        case 0x08: return #"'\b'"#
        case 0x0c: return #"'\f'"#
        case 0x0a: return #"'\n'"#
        case 0x0d: return #"'\r'"#
        case 0x09: return #"'\t'"#
        case 0x0b: return #"'\v'"#
        case UInt8(ascii: "\\"): return #"'\\'"#
        case 0..<0x20, 0x7f: return #"'\x"# + Self.hex(byte) + "'"
        case 0x80..<0xa0, 0xad: return #"'\u00"# + Self.hex(byte) + "'"
        default: return "'" + String(Character(Unicode.Scalar(byte))) + "'"
        }
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16)
        return digits.count == 1 ? "0" + digits : digits
    }
}
