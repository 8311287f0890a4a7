import NIOCore
import NIOHPACK
import NIOHTTP2

/// Cuts a client's bytes into HTTP/2 frames: the connection preface first, then frames of at most
/// `maxFrameSize` bytes. A header block and its CONTINUATION frames come out as one HEADERS frame, decoded
/// with HPACK. Structural faults (a frame on the wrong stream, a wrong length, bad padding, a broken header
/// block) are connection errors; what a frame means for the connection's state is the codec's to check.
/// PRIORITY frames and frames of unknown types are read and dropped.
struct HTTP2FrameParser {
    /// The most bytes a header block may take across its HEADERS and CONTINUATION frames.
    static let maxHeaderBlockBytes = 1 << 16
    /// The most CONTINUATION frames one header block may take. Empty ones would never reach the byte
    /// bound; the largest block, in frames of the smallest maximum frame size (16 KiB), takes three.
    static let maxContinuations = 16

    private struct PendingBlock {
        let streamID: HTTP2StreamID
        let endStream: Bool
        var bytes: ByteBuffer
        var continuations = 0
    }

    let maxFrameSize: Int
    private var buffer: ByteBuffer?
    private var prefaceRead = false
    private var decoder: HPACKDecoder
    private var block: PendingBlock?

    init(maxFrameSize: Int = HTTP2Wire.defaultMaxFrameSize, maxHeaderListSize: Int, allocator: ByteBufferAllocator) {
        self.maxFrameSize = maxFrameSize
        self.decoder = HPACKDecoder(
            allocator: allocator,
            maxDynamicTableSize: HPACKDecoder.maxDynamicTableSize,
            maxHeaderListSize: maxHeaderListSize
        )
    }

    /// Adds bytes read from the connection. The bytes parsed already are dropped first once they outweigh
    /// those still waiting, so a connection whose reads keep ending inside a frame does not grow the buffer.
    mutating func append(_ bytes: ByteBuffer) {
        guard var buffer = self.buffer else {
            self.buffer = bytes
            return
        }
        self.buffer = nil
        if buffer.readerIndex >= buffer.readableBytes { buffer.discardReadBytes() }
        buffer.writeImmutableBuffer(bytes)
        self.buffer = buffer
    }

    /// The next whole frame, or nil until more bytes arrive.
    mutating func nextFrame() throws(HTTP2ConnectionError) -> HTTP2Frame? {
        while var bytes = self.buffer {
            self.buffer = nil
            defer { if bytes.readableBytes > 0 { self.buffer = bytes } }
            if !self.prefaceRead {
                let available = min(bytes.readableBytes, ProtocolDetector.http2Preface.count)
                guard bytes.readableBytesView.prefix(available).elementsEqual(ProtocolDetector.http2Preface.prefix(available)) else {
                    throw HTTP2ConnectionError(.protocolError, "invalid connection preface")
                }
                guard available == ProtocolDetector.http2Preface.count else { return nil }
                bytes.moveReaderIndex(forwardBy: available)
                self.prefaceRead = true
                continue
            }
            guard let header = bytes.getFrameHeader() else { return nil }
            guard header.length <= self.maxFrameSize else {
                throw HTTP2ConnectionError(.frameSizeError, "frame of \(header.length) bytes exceeds \(self.maxFrameSize)")
            }
            guard bytes.readableBytes >= HTTP2Wire.frameHeaderLength + header.length else { return nil }
            bytes.moveReaderIndex(forwardBy: HTTP2Wire.frameHeaderLength)
            let payload = bytes.readSlice(length: header.length)!
            if let frame = try self.frame(header, payload) { return frame }
        }
        return nil
    }

    private mutating func frame(_ header: FrameHeader, _ payload: ByteBuffer) throws(HTTP2ConnectionError) -> HTTP2Frame? {
        var payload = payload
        let stream = header.streamID
        if let block = self.block {
            guard header.type == HTTP2Wire.continuation, stream == block.streamID else {
                throw HTTP2ConnectionError(.protocolError, "expected CONTINUATION of stream \(block.streamID)")
            }
            guard block.continuations < Self.maxContinuations else {
                throw HTTP2ConnectionError(.enhanceYourCalm, "header block in more than \(Self.maxContinuations) CONTINUATION frames")
            }
            self.block?.continuations += 1
            return try self.continueBlock(with: payload, endHeaders: header.has(HTTP2Wire.endHeaders))
        }
        switch header.type {
        case HTTP2Wire.data:
            try header.requireStream()
            let padding = try Self.removePadding(from: &payload, if: header.has(HTTP2Wire.padded))
            let data = HTTP2Frame.FramePayload.Data(data: .byteBuffer(payload), endStream: header.has(HTTP2Wire.endStream), paddingBytes: padding)
            return HTTP2Frame(streamID: stream, payload: .data(data))
        case HTTP2Wire.headers:
            try header.requireStream()
            _ = try Self.removePadding(from: &payload, if: header.has(HTTP2Wire.padded))
            if header.has(HTTP2Wire.priorityFlag) {
                guard payload.readableBytes >= 5 else { throw HTTP2ConnectionError(.frameSizeError, "HEADERS too short for its priority") }
                payload.moveReaderIndex(forwardBy: 5)
            }
            self.block = PendingBlock(streamID: stream, endStream: header.has(HTTP2Wire.endStream), bytes: ByteBuffer())
            return try self.continueBlock(with: payload, endHeaders: header.has(HTTP2Wire.endHeaders))
        case HTTP2Wire.priority:
            try header.requireStream()
            try header.requireLength(5)
            return nil
        case HTTP2Wire.rstStream:
            try header.requireStream()
            try header.requireLength(4)
            return HTTP2Frame(streamID: stream, payload: .rstStream(HTTP2ErrorCode(networkCode: Int(payload.readInteger(as: UInt32.self)!))))
        case HTTP2Wire.settings:
            try header.requireConnection()
            return HTTP2Frame(streamID: .rootStream, payload: .settings(try Self.settings(header, &payload)))
        case HTTP2Wire.pushPromise:
            throw HTTP2ConnectionError(.protocolError, "a client may not send PUSH_PROMISE")
        case HTTP2Wire.ping:
            try header.requireConnection()
            try header.requireLength(8)
            let data = HTTP2PingData(withInteger: payload.readInteger(as: UInt64.self)!)
            return HTTP2Frame(streamID: .rootStream, payload: .ping(data, ack: header.has(HTTP2Wire.ack)))
        case HTTP2Wire.goAway:
            try header.requireConnection()
            guard header.length >= 8 else { throw HTTP2ConnectionError(.frameSizeError, "GOAWAY shorter than 8 bytes") }
            let last = HTTP2StreamID(Int32(bitPattern: payload.readInteger(as: UInt32.self)! & 0x7fff_ffff))
            let code = HTTP2ErrorCode(networkCode: Int(payload.readInteger(as: UInt32.self)!))
            return HTTP2Frame(streamID: .rootStream, payload: .goAway(lastStreamID: last, errorCode: code, opaqueData: payload.readableBytes > 0 ? payload : nil))
        case HTTP2Wire.windowUpdate:
            try header.requireLength(4)
            let increment = Int(payload.readInteger(as: UInt32.self)! & 0x7fff_ffff)
            return HTTP2Frame(streamID: stream, payload: .windowUpdate(windowSizeIncrement: increment))
        case HTTP2Wire.continuation:
            throw HTTP2ConnectionError(.protocolError, "CONTINUATION without a header block")
        default:
            return nil
        }
    }

    private mutating func continueBlock(with fragment: ByteBuffer, endHeaders: Bool) throws(HTTP2ConnectionError) -> HTTP2Frame? {
        var block = self.block!
        self.block = nil
        guard block.bytes.readableBytes + fragment.readableBytes <= Self.maxHeaderBlockBytes else {
            throw HTTP2ConnectionError(.enhanceYourCalm, "header block larger than \(Self.maxHeaderBlockBytes) bytes")
        }
        if block.bytes.readableBytes == 0 && endHeaders {
            block.bytes = fragment
        } else {
            block.bytes.writeImmutableBuffer(fragment)
        }
        guard endHeaders else {
            self.block = block
            return nil
        }
        let headers: HPACKHeaders
        do {
            headers = try self.decoder.decodeHeaders(from: &block.bytes)
        } catch {
            throw HTTP2ConnectionError(.compressionError, "header block: \(error)")
        }
        return HTTP2Frame(streamID: block.streamID, payload: .headers(.init(headers: headers, endStream: block.endStream)))
    }

    /// Strips a padded frame's pad length byte and padding; the padding's size, nil if not padded.
    private static func removePadding(from payload: inout ByteBuffer, if padded: Bool) throws(HTTP2ConnectionError) -> Int? {
        guard padded else { return nil }
        guard let padding = payload.readInteger(as: UInt8.self).map(Int.init), padding <= payload.readableBytes else {
            throw HTTP2ConnectionError(.protocolError, "padding longer than the frame")
        }
        payload = payload.getSlice(at: payload.readerIndex, length: payload.readableBytes - padding)!
        return padding
    }

    private static func settings(_ header: FrameHeader, _ payload: inout ByteBuffer) throws(HTTP2ConnectionError) -> HTTP2Frame.FramePayload.Settings {
        if header.has(HTTP2Wire.ack) {
            try header.requireLength(0)
            return .ack
        }
        guard header.length % 6 == 0 else { throw HTTP2ConnectionError(.frameSizeError, "SETTINGS length not a multiple of 6") }
        var settings = HTTP2Settings()
        while let (identifier, value) = payload.readMultipleIntegers(as: (UInt16, UInt32).self) {
            settings.append(HTTP2Setting(parameter: HTTP2SettingsParameter(extensionSetting: Int(identifier)), value: Int(value)))
        }
        return .settings(settings)
    }
}

/// The nine bytes before every frame's payload.
private struct FrameHeader {
    let length: Int
    let type: UInt8
    let flags: UInt8
    let streamID: HTTP2StreamID

    func has(_ flag: UInt8) -> Bool { self.flags & flag != 0 }

    func requireStream() throws(HTTP2ConnectionError) {
        guard self.streamID != .rootStream else { throw HTTP2ConnectionError(.protocolError, "frame of type \(self.type) on stream 0") }
    }

    func requireConnection() throws(HTTP2ConnectionError) {
        guard self.streamID == .rootStream else {
            throw HTTP2ConnectionError(.protocolError, "frame of type \(self.type) on stream \(self.streamID)")
        }
    }

    func requireLength(_ length: Int) throws(HTTP2ConnectionError) {
        guard self.length == length else {
            throw HTTP2ConnectionError(.frameSizeError, "frame of type \(self.type) with \(self.length) bytes, not \(length)")
        }
    }
}

extension ByteBuffer {
    fileprivate func getFrameHeader() -> FrameHeader? {
        guard let (high, low, type, flags, stream) = self.getMultipleIntegers(at: self.readerIndex, as: (UInt16, UInt8, UInt8, UInt8, UInt32).self)
        else { return nil }
        return FrameHeader(
            length: Int(high) << 8 | Int(low),
            type: type,
            flags: flags,
            streamID: HTTP2StreamID(Int32(bitPattern: stream & 0x7fff_ffff))
        )
    }
}
