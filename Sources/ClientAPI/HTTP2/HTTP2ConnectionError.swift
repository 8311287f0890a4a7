import NIOHTTP2

/// A violation of HTTP/2 (RFC 9113) that ends the whole connection: the server answers it with a GOAWAY
/// carrying `code` and `reason` as its debug data, then closes.
struct HTTP2ConnectionError: Error, Equatable {
    let code: HTTP2ErrorCode
    let reason: String

    init(_ code: HTTP2ErrorCode, _ reason: String) {
        self.code = code
        self.reason = reason
    }
}
