import NIOCore
import NIOHTTP1

/// One complete HTTP/1.1 request as the client port received it, body included.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// The path part of the request target, without the query.
    public var path: String
    /// Query parameters in order of appearance, percent-decoded; a parameter without `=` has an empty value.
    public var query: [(name: String, value: String)]
    public var headers: HTTPHeaders
    public var body: ByteBuffer

    /// Creates a request, splitting `uri` into path and query.
    public init(method: HTTPMethod, uri: String, headers: HTTPHeaders = [:], body: ByteBuffer = ByteBuffer()) {
        self.method = method
        self.headers = headers
        self.body = body
        if let mark = uri.firstIndex(of: "?") {
            self.path = String(uri[..<mark])
            self.query = Self.parseQuery(uri[uri.index(after: mark)...])
        } else {
            self.path = uri
            self.query = []
        }
    }

    /// All values given for the query parameter `name`.
    public func queryValues(_ name: String) -> [String] {
        self.query.filter { $0.name == name }.map(\.value)
    }

    private static func parseQuery(_ text: Substring) -> [(name: String, value: String)] {
        text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            if let equals = pair.firstIndex(of: "=") {
                return (percentDecode(pair[..<equals]), percentDecode(pair[pair.index(after: equals)...]))
            }
            return (percentDecode(pair), "")
        }
    }

    private static func percentDecode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                let high = iterator.next().flatMap(hexValue)
                let low = iterator.next().flatMap(hexValue)
                if let high, let low {
                    bytes.append(high << 4 | low)
                } else {
                    bytes.append(byte)
                }
            default:
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
