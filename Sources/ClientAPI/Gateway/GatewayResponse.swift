import NIOCore
import NIOHTTP1
import SwiftProtobuf

/// The gateway's HTTP answers in the shapes etcd's gateway gives them: a response message as JSON, an error as
/// `{"error":…,"message":…,"code":…}`, a stream as one `{"result":…}` line per message, ended by an
/// `{"error":{…}}` object if the call fails. Fields at their default value are left out, as there.
enum GatewayResponse {
    /// The headers of an answer from a service: etcd's gateway also passes on the gRPC response's metadata.
    static let callHeaders: HTTPHeaders = ["Content-Type": "application/json", "Grpc-Metadata-Content-Type": "application/grpc"]

    /// The headers of an error answer (etcd's gateway sends the gRPC metadata of a failed call as trailers,
    /// which we leave out).
    static let plainHeaders: HTTPHeaders = ["Content-Type": "application/json"]

    /// A call's response message, `200`.
    static func message(_ message: some SwiftProtobuf.Message) -> HTTPResponse {
        do {
            return HTTPResponse(status: .ok, headers: Self.callHeaders, body: ByteBuffer(bytes: try GatewayJSON.encode(message)))
        } catch {
            return Self.failure(GatewayStatus(code: .internalError, message: "failed to encode the response: \(error)"))
        }
    }

    /// A failed call, or a request body that could not be read (`invalidArgument`), with the HTTP status for
    /// the code.
    static func failure(_ status: GatewayStatus) -> HTTPResponse {
        let message = status.message.isEmpty ? nil : GatewayJSON.quoted(status.message)
        let body = Self.object([
            ("error", message),
            ("message", message),
            ("code", Array(String(status.code.rawValue).utf8)),
        ])
        return HTTPResponse(status: status.httpStatus, headers: Self.plainHeaders, body: ByteBuffer(bytes: body))
    }

    /// One message of a stream: `{"result":…}` and a newline.
    static func resultLine(_ message: some SwiftProtobuf.Message) throws -> ByteBuffer {
        var line = Self.object([("result", try GatewayJSON.encode(message))])
        line.append(UInt8(ascii: "\n"))
        return ByteBuffer(bytes: line)
    }

    /// The last piece of a stream whose call failed; no newline follows it.
    static func errorObject(_ status: GatewayStatus) -> ByteBuffer {
        let httpStatus = status.httpStatus
        let detail = Self.object([
            ("grpc_code", Array(String(status.code.rawValue).utf8)),
            ("http_code", Array(String(httpStatus.code).utf8)),
            ("message", status.message.isEmpty ? nil : GatewayJSON.quoted(status.message)),
            ("http_status", GatewayJSON.quoted(httpStatus.reasonPhrase)),
        ])
        return ByteBuffer(bytes: Self.object([("error", detail)]))
    }

    /// A JSON object of the fields that have a value, in order; the values are JSON already.
    private static func object(_ fields: [(name: String, value: [UInt8]?)]) -> [UInt8] {
        var json: [UInt8] = [UInt8(ascii: "{")]
        for (name, value) in fields {
            guard let value else { continue }
            if json.count > 1 { json.append(UInt8(ascii: ",")) }
            json += GatewayJSON.quoted(name)
            json.append(UInt8(ascii: ":"))
            json += value
        }
        json.append(UInt8(ascii: "}"))
        return json
    }
}
