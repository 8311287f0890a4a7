import Foundation

/// JSON as Go's `encoding/json` writes it, for output that must match Go programs byte for byte: no
/// spaces, strings with Go's escapes (`<`, `>` and `&` as `\u003c`, `\u003e`, `\u0026`, U+2028 and U+2029
/// escaped, bytes that are not UTF-8 replaced by U+FFFD), byte arrays in standard base64.
public enum GoJSON {
    /// `bytes` (a Go string) as a JSON string.
    public static func string(_ bytes: some Collection<UInt8>) -> String {
        var output = "\""
        var rest = Array(bytes)[...]
        while let first = rest.first {
            guard let (scalar, length) = GoQuote.decode(rest) else {
                output += "\\ufffd"
                rest = rest.dropFirst()
                _ = first
                continue
            }
            rest = rest.dropFirst(length)
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                output += "\\u" + GoQuote.hex(scalar.value, width: 4)
            default:
                if scalar.value < 0x20 {
                    output += "\\u" + GoQuote.hex(scalar.value, width: 4)
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output + "\""
    }

    /// `text` as a JSON string.
    public static func string(_ text: String) -> String {
        self.string(Array(text.utf8))
    }

    /// A Go `[]byte` as JSON: standard base64 in quotes (`null` for a nil slice is the caller's choice).
    public static func bytes(_ bytes: some Collection<UInt8>) -> String {
        "\"" + Data(bytes).base64EncodedString() + "\""
    }

    /// A JSON object from fields already encoded, in order.
    public static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    /// A JSON array from elements already encoded.
    public static func array(_ elements: [String]) -> String {
        "[" + elements.joined(separator: ",") + "]"
    }
}
