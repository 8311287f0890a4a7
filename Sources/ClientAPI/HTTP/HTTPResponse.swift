import NIOCore
import NIOHTTP1

/// A complete HTTP/1.1 response to write back on the client port.
public struct HTTPResponse: Sendable {
    public var status: HTTPResponseStatus
    public var headers: HTTPHeaders
    public var body: ByteBuffer

    /// Creates a response; `Content-Length` is added when it is written.
    public init(status: HTTPResponseStatus, headers: HTTPHeaders = [:], body: ByteBuffer = ByteBuffer()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response with a body and its content type.
    public init(status: HTTPResponseStatus, contentType: String, body: String) {
        self.init(status: status, headers: ["Content-Type": contentType], body: ByteBuffer(string: body))
    }

    /// A JSON body, as etcd's handlers send it.
    public static func json(_ status: HTTPResponseStatus, _ body: String) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "application/json", body: body)
    }

    /// Go's `http.NotFound` answer, which etcd gives for every path it does not serve.
    public static let notFound = HTTPResponse(
        status: .notFound,
        contentType: "text/plain; charset=utf-8",
        body: "404 page not found\n"
    )

    /// The answer etcd gives when a path exists but not for this method; `allowed` fills the `Allow` header.
    public static func methodNotAllowed(allowed: [HTTPMethod]) -> HTTPResponse {
        var response = HTTPResponse(
            status: .methodNotAllowed,
            contentType: "text/plain; charset=utf-8",
            body: "Method Not Allowed\n"
        )
        response.headers.add(name: "Allow", value: allowed.map(\.rawValue).joined(separator: ","))
        return response
    }
}
