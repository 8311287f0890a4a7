import NIOCore

/// Splits the peer port's byte stream into frames: a 4-byte big-endian length, then that many bytes.
/// A frame longer than `maxFrameBytes` is a protocol violation and closes the connection.
final class PeerFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    private let maxFrameBytes: Int

    init(maxFrameBytes: Int) {
        self.maxFrameBytes = maxFrameBytes
    }

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else {
            return .needMoreData
        }
        guard Int(length) <= self.maxFrameBytes else {
            throw PeerProtocolError("frame of \(length) bytes exceeds the limit of \(self.maxFrameBytes)")
        }
        guard buffer.readableBytes >= 4 + Int(length) else {
            return .needMoreData
        }
        buffer.moveReaderIndex(forwardBy: 4)
        let frame = buffer.readSlice(length: Int(length))!
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }
}

/// Prefixes each outgoing frame with its length.
final class PeerFrameEncoder: MessageToByteEncoder {
    typealias OutboundIn = ByteBuffer

    /// The length prefix of every frame.
    static let headerBytes = MemoryLayout<UInt32>.size

    func encode(data: ByteBuffer, out: inout ByteBuffer) throws {
        out.writeInteger(UInt32(data.readableBytes))
        var data = data
        out.writeBuffer(&data)
    }
}

/// A peer broke the peer protocol (bad frame, unexpected message, failed handshake).
public struct PeerProtocolError: Error, CustomStringConvertible, Equatable {
    public var message: String

    /// An error with `message`.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { self.message }
}
