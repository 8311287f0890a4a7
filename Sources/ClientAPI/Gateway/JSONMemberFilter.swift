/// Removes every object member with a given name, at any depth, from JSON that ``JSONValueScanner`` has
/// already checked. White space outside strings is dropped on the way.
///
/// The gateway uses it to find the enum values a request misspells: protobuf decoding that ignores unknown
/// fields also ignores unknown enum names, which etcd's gateway refuses, so the request is decoded strictly
/// again with the unknown fields the strict decoder names taken out.
struct JSONMemberFilter {
    private let json: [UInt8]
    private let name: [UInt8]
    private var position = 0
    private var output: [UInt8] = []

    /// `json` without its members named `name` (a member whose name uses escapes is kept).
    static func removing(_ name: String, from json: [UInt8]) -> [UInt8] {
        var filter = JSONMemberFilter(json: json, name: Array(#""\#(name)""#.utf8))
        filter.copyValue()
        return filter.output
    }

    private init(json: [UInt8], name: [UInt8]) {
        self.json = json
        self.name = name
    }

    private mutating func copyValue() {
        self.skipWhitespace()
        switch self.json[self.position] {
        case UInt8(ascii: "{"): self.copyObject()
        case UInt8(ascii: "["): self.copyArray()
        case UInt8(ascii: "\""): self.output += self.json[self.stringRange()]
        default:
            let start = self.position
            while self.position < self.json.count, !Self.endsScalar(self.json[self.position]) {
                self.position += 1
            }
            self.output += self.json[start..<self.position]
        }
    }

    private mutating func copyObject() {
        self.position += 1
        self.output.append(UInt8(ascii: "{"))
        var first = true
        while true {
            self.skipWhitespace()
            if self.json[self.position] == UInt8(ascii: "}") { break }
            if self.json[self.position] == UInt8(ascii: ",") {
                self.position += 1
                continue
            }
            let key = self.stringRange()
            self.skipWhitespace()
            self.position += 1  // the colon
            let kept = !self.json[key].elementsEqual(self.name)
            let mark = self.output.count
            if kept {
                if !first { self.output.append(UInt8(ascii: ",")) }
                self.output += self.json[key]
                self.output.append(UInt8(ascii: ":"))
            }
            self.copyValue()
            if kept {
                first = false
            } else {
                self.output.removeSubrange(mark...)
            }
        }
        self.position += 1
        self.output.append(UInt8(ascii: "}"))
    }

    private mutating func copyArray() {
        self.position += 1
        self.output.append(UInt8(ascii: "["))
        while true {
            self.skipWhitespace()
            switch self.json[self.position] {
            case UInt8(ascii: "]"):
                self.position += 1
                self.output.append(UInt8(ascii: "]"))
                return
            case UInt8(ascii: ","):
                self.position += 1
                self.output.append(UInt8(ascii: ","))
            default:
                self.copyValue()
            }
        }
    }

    /// The range of the string starting at the current position, quotes included; moves past it.
    private mutating func stringRange() -> Range<Int> {
        let start = self.position
        self.position += 1
        while self.json[self.position] != UInt8(ascii: "\"") {
            self.position += self.json[self.position] == UInt8(ascii: "\\") ? 2 : 1
        }
        self.position += 1
        return start..<self.position
    }

    private mutating func skipWhitespace() {
        while self.position < self.json.count, Self.isWhitespace(self.json[self.position]) {
            self.position += 1
        }
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }

    private static func endsScalar(_ byte: UInt8) -> Bool {
        Self.isWhitespace(byte) || byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]")
    }
}
