/// A short rendering of a key for one-line error messages: quoted text when it is printable ASCII,
/// hexadecimal otherwise, cut after 32 bytes.
struct BytePreview: CustomStringConvertible {
    private static let shownBytes = 32
    private let bytes: [UInt8]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var description: String {
        let shown = self.bytes.prefix(Self.shownBytes)
        let suffix = self.bytes.count > Self.shownBytes ? "…(\(self.bytes.count) bytes)" : ""
        if shown.allSatisfy({ (0x20..<0x7F).contains($0) }) {
            return "\"" + String(decoding: shown, as: UTF8.self) + "\"" + suffix
        }
        let hex = shown.map { byte in
            let digits = String(byte, radix: 16)
            return byte < 0x10 ? "0" + digits : digits
        }
        return "0x" + hex.joined() + suffix
    }
}
