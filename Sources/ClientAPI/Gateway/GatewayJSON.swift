import NIOCore
import SwiftProtobuf

/// The JSON form of etcd's messages as its gateway writes and reads them (the protobuf JSON mapping with
/// proto field names): 64-bit integers as strings, bytes as base64, enums by name, fields at their default
/// value left out. Requests may use proto or camel-case field names; unknown fields are ignored and unknown
/// enum names refused, as there.
enum GatewayJSON {
    private static let encodingOptions: JSONEncodingOptions = {
        var options = JSONEncodingOptions()
        options.preserveProtoFieldNames = true
        return options
    }()

    private static let lenientOptions: JSONDecodingOptions = {
        var options = JSONDecodingOptions()
        options.ignoreUnknownFields = true
        return options
    }()

    /// Strict decoding passes over the unknown fields it names, one name each, up to this many.
    static let maxUnknownFieldNames = 32

    /// `message` as compact JSON, byte for byte as etcd's gateway writes it.
    static func encode(_ message: some SwiftProtobuf.Message) throws -> [UInt8] {
        GoStringEscaping.rewrite(try message.jsonUTF8Bytes(options: Self.encodingOptions))
    }

    /// `text` as a JSON string, escaped as Go escapes it.
    static func quoted(_ text: String) -> [UInt8] {
        let literal = (try? Google_Protobuf_StringValue(text).jsonUTF8Bytes()) ?? Array(#""""#.utf8)
        return GoStringEscaping.rewrite(literal)
    }

    /// The request of a unary call: the body's first JSON value (anything after it is not read); an empty
    /// body is the default request.
    static func request<Request: SwiftProtobuf.Message>(
        _ type: Request.Type,
        in body: ByteBuffer
    ) throws(GatewayStatus) -> Request {
        var scanner = JSONValueScanner(Array(body.readableBytesView))
        let first: ArraySlice<UInt8>?
        do throws(JSONValueScanner.SyntaxError) {
            first = try scanner.next()
        } catch {
            throw .badRequest(error.message)
        }
        guard let first else { return Request() }
        return try Self.decode(type, from: first)
    }

    /// The requests of a streaming call, one per JSON value of the body, up to the first that cannot be read,
    /// whose error comes back with them.
    static func requests<Request: SwiftProtobuf.Message>(
        _ type: Request.Type,
        in body: ByteBuffer
    ) -> (requests: [Request], error: GatewayStatus?) {
        var scanner = JSONValueScanner(Array(body.readableBytesView))
        var requests: [Request] = []
        while true {
            let value: ArraySlice<UInt8>?
            do throws(JSONValueScanner.SyntaxError) {
                value = try scanner.next()
            } catch {
                return (requests, .badRequest(error.message))
            }
            guard let value else { return (requests, nil) }
            do throws(GatewayStatus) {
                requests.append(try Self.decode(type, from: value))
            } catch {
                return (requests, error)
            }
        }
    }

    /// One request message from one JSON value: an object, or `null` for the default request.
    static func decode<Request: SwiftProtobuf.Message>(
        _ type: Request.Type,
        from value: ArraySlice<UInt8>
    ) throws(GatewayStatus) -> Request {
        let kind: String
        switch value.first {
        case UInt8(ascii: "{"):
            do {
                return try Self.decodeObject(type, from: Array(value))
            } catch let error as JSONDecodingError {
                throw .badRequest(Self.describe(error))
            } catch {
                throw .badRequest("json: \(error)")
            }
        case UInt8(ascii: "n"): return Request()
        case UInt8(ascii: "["): kind = "array"
        case UInt8(ascii: "\""): kind = "string"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): kind = "bool"
        default: kind = "number"
        }
        // etcd's gateway reads the top level as a map of field names first; this is the error it gives.
        throw .badRequest("json: cannot unmarshal \(kind) into Go value of type map[string]json.RawMessage")
    }

    /// Decodes strictly, so that an unknown enum name is refused as etcd's gateway refuses it, while unknown
    /// fields are ignored: each one the strict decoder stops at is taken out (by name, wherever it appears)
    /// and the decoding tried again. If that took anything out, the message is decoded leniently from the
    /// original, since a name unknown in one message may be a field of another.
    private static func decodeObject<Request: SwiftProtobuf.Message>(_ type: Request.Type, from json: [UInt8]) throws -> Request {
        var remaining = json
        for _ in 0..<Self.maxUnknownFieldNames {
            do {
                let request = try Request(jsonUTF8Bytes: remaining)
                return remaining == json ? request : try Request(jsonUTF8Bytes: json, options: Self.lenientOptions)
            } catch JSONDecodingError.unknownField(let name) {
                let filtered = JSONMemberFilter.removing(name, from: remaining)
                if filtered == remaining { break }
                remaining = filtered
            }
        }
        return try Request(jsonUTF8Bytes: json, options: Self.lenientOptions)
    }

    /// What was wrong with a request whose JSON is well formed but does not fit the message.
    static func describe(_ error: JSONDecodingError) -> String {
        switch error {
        case .malformedString: "json: a value is not a valid string; bytes fields take standard base64"
        case .malformedNumber, .leadingZero: "json: a value is not a valid number"
        case .numberRange: "json: a number is out of range for its field"
        case .malformedBool: "json: a value is not a valid boolean"
        case .unrecognizedEnumValue: "json: unknown value for an enum field"
        case .illegalNull: "json: null is not allowed here"
        case .invalidUTF8: "json: invalid UTF-8 in a string"
        case .conflictingOneOf: "json: more than one field of a oneof is set"
        case .messageDepthLimit: "json: messages are nested too deeply"
        case .truncated: "unexpected EOF"
        default: "json: a value has the wrong type for its field (bytes fields take standard base64)"
        }
    }
}
