/// HTTP/2's frame types and flags as they appear on the wire (RFC 9113, section 6).
enum HTTP2Wire {
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
