/// Rewrites the string escapes of SwiftProtobuf's JSON into the ones Go's `encoding/json` writes, so that the
/// gateway's answers match etcd's byte for byte.
///
/// The two differ only inside strings: Go writes `\u0008` and `\u000c` where SwiftProtobuf writes `\b` and
/// `\f`; Go leaves U+007F to U+009F as they are where SwiftProtobuf escapes them; and Go escapes `<`, `>`,
/// `&`, U+2028 and U+2029, which SwiftProtobuf leaves alone. Outside strings JSON has no backslashes and none
/// of those characters, so the rewrite needs no parsing beyond the escapes themselves.
enum GoStringEscaping {
    /// `json` (UTF-8 from SwiftProtobuf's encoder) with Go's escapes.
    static func rewrite(_ json: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(json.count)
        var index = 0
        while index < json.count {
            let byte = json[index]
            switch byte {
            case UInt8(ascii: "\\"):
                index += Self.rewriteEscape(in: json, at: index, into: &output)
                continue
            case UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"):
                Self.appendUnicodeEscape(UInt16(byte), to: &output)
            case 0xe2 where index + 2 < json.count && json[index + 1] == 0x80 && (json[index + 2] | 1) == 0xa9:
                // U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR
                Self.appendUnicodeEscape(0x2028 + UInt16(json[index + 2] - 0xa8), to: &output)
                index += 3
                continue
            default:
                output.append(byte)
            }
            index += 1
        }
        return output
    }

    /// Copies or rewrites the escape at `index`; returns how many input bytes it took.
    private static func rewriteEscape(in json: [UInt8], at index: Int, into output: inout [UInt8]) -> Int {
        guard index + 1 < json.count else {
            output.append(json[index])
            return 1
        }
        switch json[index + 1] {
        case UInt8(ascii: "b"):
            Self.appendUnicodeEscape(0x08, to: &output)
            return 2
        case UInt8(ascii: "f"):
            Self.appendUnicodeEscape(0x0c, to: &output)
            return 2
        case UInt8(ascii: "u") where index + 5 < json.count:
            let digits = json[(index + 2)...(index + 5)]
            if let value = UInt16(String(decoding: digits, as: UTF8.self), radix: 16), (0x7f...0x9f).contains(value) {
                output.append(contentsOf: String(Character(Unicode.Scalar(UInt8(value)))).utf8)
            } else {
                output.append(contentsOf: json[index...(index + 5)])
            }
            return 6
        default:
            output.append(contentsOf: json[index...(index + 1)])
            return 2
        }
    }

    private static func appendUnicodeEscape(_ value: UInt16, to output: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u")])
        for shift in stride(from: 12, through: 0, by: -4) {
            output.append(hex[Int((value >> UInt16(shift)) & 0xf)])
        }
    }
}
