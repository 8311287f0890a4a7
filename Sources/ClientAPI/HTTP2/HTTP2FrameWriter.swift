import NIOCore
import NIOHPACK
import NIOHTTP2

/// Writes the server's frames in HTTP/2's wire form. Header blocks are encoded with the connection's HPACK
/// encoder and split into a HEADERS frame and CONTINUATION frames of at most the peer's frame size.
struct HTTP2FrameWriter {
    private var encoder: HPACKEncoder
    private var block: ByteBuffer

    init(allocator: ByteBufferAllocator) {
        self.encoder = HPACKEncoder(allocator: allocator)
        self.block = allocator.buffer(capacity: 256)
    }

    /// The peer's `SETTINGS_HEADER_TABLE_SIZE`: the encoder's dynamic table stays within it (and within
    /// HPACK's default, the most it uses).
    mutating func limitHeaderTable(to size: Int) {
        // Changing the size between header blocks cannot fail: the encoder is idle here.
        try! self.encoder.setDynamicTableSize(min(size, HPACKEncoder.defaultDynamicTableSize))
    }

    mutating func writeHeaders(_ headers: HPACKHeaders, endStream: Bool, on stream: HTTP2StreamID, maxFrameSize: Int, into out: inout ByteBuffer) {
        self.block.clear()
        // Encoding into a buffer with the encoder idle fails only for an encoder in the middle of a block.
        try! self.encoder.encode(headers: headers, to: &self.block)
        var type = HTTP2Wire.headers
        var flags = endStream ? HTTP2Wire.endStream : 0
        repeat {
            let length = min(self.block.readableBytes, maxFrameSize)
            let last = length == self.block.readableBytes
            Self.writeFrameHeader(length: length, type: type, flags: last ? flags | HTTP2Wire.endHeaders : flags, stream: stream, into: &out)
            out.writeImmutableBuffer(self.block.readSlice(length: length)!)
            (type, flags) = (HTTP2Wire.continuation, 0)
        } while self.block.readableBytes > 0
    }

    static func writeDataHeader(length: Int, endStream: Bool, on stream: HTTP2StreamID, into out: inout ByteBuffer) {
        self.writeFrameHeader(length: length, type: HTTP2Wire.data, flags: endStream ? HTTP2Wire.endStream : 0, stream: stream, into: &out)
    }

    static func writeRstStream(_ code: HTTP2ErrorCode, on stream: HTTP2StreamID, into out: inout ByteBuffer) {
        self.writeFrameHeader(length: 4, type: HTTP2Wire.rstStream, flags: 0, stream: stream, into: &out)
        out.writeInteger(UInt32(code.networkCode))
    }

    /// A SETTINGS frame of (identifier, value) pairs.
    static func writeSettings(_ settings: [(identifier: UInt16, value: Int)], into out: inout ByteBuffer) {
        self.writeFrameHeader(length: settings.count * 6, type: HTTP2Wire.settings, flags: 0, stream: .rootStream, into: &out)
        for setting in settings {
            out.writeMultipleIntegers(setting.identifier, UInt32(setting.value))
        }
    }

    static func writeSettingsAck(into out: inout ByteBuffer) {
        self.writeFrameHeader(length: 0, type: HTTP2Wire.settings, flags: HTTP2Wire.ack, stream: .rootStream, into: &out)
    }

    static func writePing(_ data: HTTP2PingData, ack: Bool, into out: inout ByteBuffer) {
        self.writeFrameHeader(length: 8, type: HTTP2Wire.ping, flags: ack ? HTTP2Wire.ack : 0, stream: .rootStream, into: &out)
        out.writeInteger(data.integer)
    }

    static func writeGoAway(lastStreamID: HTTP2StreamID, code: HTTP2ErrorCode, debugData: ByteBuffer?, into out: inout ByteBuffer) {
        let debugLength = debugData?.readableBytes ?? 0
        self.writeFrameHeader(length: 8 + debugLength, type: HTTP2Wire.goAway, flags: 0, stream: .rootStream, into: &out)
        out.writeMultipleIntegers(UInt32(Int32(lastStreamID)), UInt32(code.networkCode))
        if let debugData { out.writeImmutableBuffer(debugData) }
    }

    static func writeWindowUpdate(_ increment: Int, on stream: HTTP2StreamID, into out: inout ByteBuffer) {
        self.writeFrameHeader(length: 4, type: HTTP2Wire.windowUpdate, flags: 0, stream: stream, into: &out)
        out.writeInteger(UInt32(increment))
    }

    private static func writeFrameHeader(length: Int, type: UInt8, flags: UInt8, stream: HTTP2StreamID, into out: inout ByteBuffer) {
        out.writeMultipleIntegers(UInt16(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length), type, flags, UInt32(Int32(stream)))
    }
}
