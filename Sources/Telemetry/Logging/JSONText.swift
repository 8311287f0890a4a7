import Logging

/// Minimal JSON text writing for log lines and small hand-built bodies: strings escaped per RFC 8259,
/// log metadata values as strings, arrays and objects.
public enum JSONText {
    /// Appends `text` as a quoted, escaped JSON string.
    public static func appendString(_ text: String, to output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }

    /// Appends a log metadata value: strings as strings, arrays as arrays, dictionaries as objects.
    public static func appendValue(_ value: Logger.MetadataValue, to output: inout String) {
        switch value {
        case .string(let text):
            appendString(text, to: &output)
        case .stringConvertible(let convertible):
            appendString(convertible.description, to: &output)
        case .array(let values):
            output += "["
            for (index, element) in values.enumerated() {
                if index > 0 { output += "," }
                appendValue(element, to: &output)
            }
            output += "]"
        case .dictionary(let entries):
            output += "{"
            for (index, (key, element)) in entries.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { output += "," }
                appendString(key, to: &output)
                output += ":"
                appendValue(element, to: &output)
            }
            output += "}"
        }
    }
}

extension JSONText {
    /// `text` as a quoted, escaped JSON string.
    public static func quoted(_ text: String) -> String {
        var output = ""
        appendString(text, to: &output)
        return output
    }
}
