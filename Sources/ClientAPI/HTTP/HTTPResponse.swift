import NIOCore
import NIOHTTP1

/// An HTTP/1.1 response to write back on the client port: complete, or with a streamed body.
public struct HTTPResponse: Sendable {
    public var status: HTTPResponseStatus
    public var headers: HTTPHeaders
    /// The whole body; ignored when ``bodyStream`` is set.
    public var body: ByteBuffer
    /// A body written while the connection lasts, sent with chunked transfer encoding instead of ``body``.
    public var bodyStream: HTTPBodyStream?

    /// Creates a response; `Content-Length` is added when it is written.
    public init(status: HTTPResponseStatus, headers: HTTPHeaders = [:], body: ByteBuffer = ByteBuffer()) {
        self.status = status
        self.headers = headers
        self.body = body
        self.bodyStream = nil
    }

    /// Creates a response whose body `stream` produces after the head has been sent.
    public init(status: HTTPResponseStatus, headers: HTTPHeaders = [:], stream: HTTPBodyStream) {
        self.status = status
        self.headers = headers
        self.body = ByteBuffer()
        self.bodyStream = stream
    }

    /// A response with a body and its content type.
    public init(status: HTTPResponseStatus, contentType: String, body: String) {
        self.init(status: status, headers: ["Content-Type": contentType], body: ByteBuffer(string: body))
    }

    /// A JSON body, as etcd's handlers send it.
    public static func json(_ status: HTTPResponseStatus, _ body: String) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "application/json", body: body)
    }

    /// Go's `http.Error` answer: the text and a newline, as plain text the browser must not sniff.
    public static func goError(_ status: HTTPResponseStatus, _ text: String) -> HTTPResponse {
        HTTPResponse(
            status: status,
            headers: ["Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff"],
            body: ByteBuffer(string: text + "\n")
        )
    }

    /// Go's `http.NotFound` answer, which etcd gives for every path it does not serve.
    public static let notFound = HTTPResponse.goError(.notFound, "404 page not found")

    /// The answer etcd gives when a path exists but not for this method; `allowed` fills the `Allow` header.
    public static func methodNotAllowed(allowed: [HTTPMethod]) -> HTTPResponse {
        var response = HTTPResponse.goError(.methodNotAllowed, "Method Not Allowed")
        response.headers.add(name: "Allow", value: allowed.map(\.rawValue).joined(separator: ","))
        return response
    }
}
