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

/// HTTP/2's frame types and flags as they appear on the wire (RFC 9113, section 6).
enum HTTP2Wire {
    static let preface: [UInt8] = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)
    static let frameHeaderLength = 9
    /// The frame size every peer accepts until it announces more (`SETTINGS_MAX_FRAME_SIZE`).
    static let defaultMaxFrameSize = 16_384
    static let maxAllowedFrameSize = (1 << 24) - 1
    static let defaultWindow = 65_535
    static let maxWindow = Int(Int32.max)

    static let data: UInt8 = 0x0
    static let headers: UInt8 = 0x1
    static let priority: UInt8 = 0x2
    static let rstStream: UInt8 = 0x3
    static let settings: UInt8 = 0x4
    static let pushPromise: UInt8 = 0x5
    static let ping: UInt8 = 0x6
    static let goAway: UInt8 = 0x7
    static let windowUpdate: UInt8 = 0x8
    static let continuation: UInt8 = 0x9

    static let endStream: UInt8 = 0x1
    static let ack: UInt8 = 0x1
    static let endHeaders: UInt8 = 0x4
    static let padded: UInt8 = 0x8
    static let priorityFlag: UInt8 = 0x20
}
