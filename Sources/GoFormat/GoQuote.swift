/// Strings as Go's `strconv.Quote` (and `fmt`'s `%q`) writes them: double quotes, `\"` and `\\`, the
/// short escapes (`\a \b \f \n \r \t \v`), `\xHH` for other ASCII control bytes and for bytes that are
/// not UTF-8, `\uHHHH` or `\UHHHHHHHH` for characters that are not printable, the rest as is.
public enum GoQuote {
    /// `bytes` (Go strings are bytes) quoted.
    public static func quote(_ bytes: some Collection<UInt8>) -> String {
        var output = "\""
        var iterator = Array(bytes)[...]
        while let first = iterator.first {
            guard let (scalar, length) = Self.decode(iterator) else {
                output += "\\x" + Self.hex(UInt32(first), width: 2)
                iterator = iterator.dropFirst()
                continue
            }
            iterator = iterator.dropFirst(length)
            output += Self.escape(scalar)
        }
        return output + "\""
    }

    /// `text` quoted.
    public static func quote(_ text: String) -> String {
        self.quote(Array(text.utf8))
    }

    private static func escape(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\"": return "\\\""
        case "\\": return "\\\\"
        case "\u{07}": return "\\a"
        case "\u{08}": return "\\b"
        case "\u{0C}": return "\\f"
        case "\n": return "\\n"
        case "\r": return "\\r"
        case "\t": return "\\t"
        case "\u{0B}": return "\\v"
        default: break
        }
        if scalar.value < 0x20 || scalar.value == 0x7F { return "\\x" + self.hex(scalar.value, width: 2) }
        if self.isPrintable(scalar) { return String(scalar) }
        return scalar.value < 0x10000 ? "\\u" + self.hex(scalar.value, width: 4) : "\\U" + self.hex(scalar.value, width: 8)
    }

    /// Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space.
    static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == " " { return true }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .letterNumber, .otherNumber,
            .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
            .finalPunctuation, .otherPunctuation, .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return true
        default:
            return false
        }
    }

    /// The scalar UTF-8 encodes at the start of `bytes`, and its length; nil when the bytes there are not UTF-8.
    static func decode(_ bytes: ArraySlice<UInt8>) -> (Unicode.Scalar, Int)? {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        switch decoder.decode(&iterator) {
        case .scalarValue(let scalar):
            return (scalar, UTF8.width(scalar))
        case .emptyInput, .error:
            return nil
        }
    }

    /// `value` in lowercase hexadecimal, zero-padded to `width` digits.
    public static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

extension GoQuote {
    /// Reads one Go string literal at the start of `text` (`"..."` with Go's escapes, or a back-quoted raw
    /// string), as `fmt.Sscanf`'s `%q` does; returns its bytes and what follows, or nil when there is none.
    public static func unquote(prefixOf text: Substring) -> (value: [UInt8], rest: Substring)? {
        var rest = text.drop { $0 == " " || $0 == "\t" }
        guard let quote = rest.first, quote == "\"" || quote == "`" else { return nil }
        rest = rest.dropFirst()
        if quote == "`" {
            guard let end = rest.firstIndex(of: "`") else { return nil }
            return (Array(rest[..<end].utf8), rest[rest.index(after: end)...])
        }
        var value: [UInt8] = []
        var scalars = rest.unicodeScalars[...]
        while let scalar = scalars.first {
            scalars = scalars.dropFirst()
            switch scalar {
            case "\"":
                return (value, Substring(scalars))
            case "\\":
                guard let escape = scalars.first else { return nil }
                scalars = scalars.dropFirst()
                switch escape {
                case "a": value.append(0x07)
                case "b": value.append(0x08)
                case "f": value.append(0x0C)
                case "n": value.append(0x0A)
                case "r": value.append(0x0D)
                case "t": value.append(0x09)
                case "v": value.append(0x0B)
                case "\\", "\"", "'": value += Array(String(escape).utf8)
                case "x", "u", "U":
                    let digits = escape == "x" ? 2 : escape == "u" ? 4 : 8
                    let hex = String(String.UnicodeScalarView(scalars.prefix(digits)))
                    guard hex.count == digits, let number = UInt32(hex, radix: 16) else { return nil }
                    scalars = scalars.dropFirst(digits)
                    if escape == "x" {
                        value.append(UInt8(number))
                    } else {
                        guard let decoded = Unicode.Scalar(number) else { return nil }
                        value += Array(String(decoded).utf8)
                    }
                case "0"..."7":
                    let octal = String(escape) + String(String.UnicodeScalarView(scalars.prefix(2)))
                    guard octal.count == 3, let number = UInt8(octal, radix: 8) else { return nil }
                    scalars = scalars.dropFirst(2)
                    value.append(number)
                default:
                    return nil
                }
            case "\n":
                return nil
            default:
                value += Array(String(scalar).utf8)
            }
        }
        return nil
    }
}
