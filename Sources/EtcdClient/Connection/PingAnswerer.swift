import NIOCore

/// Answers the server's HTTP/2 PING frames itself, before swift-nio-http2 sees them.
///
/// Go gRPC servers (Go etcd) send a bandwidth-estimation PING after nearly every request they receive.
/// swift-nio-http2 counts received PINGs as control frames and, past 200 in 30 seconds, closes the
/// connection as a denial-of-service attempt (GOAWAY ENHANCE_YOUR_CALM), which ends a client's session with Go
/// etcd after about 200 calls; grpc-swift-nio-transport offers
/// no setting for that limit. So this handler sits first in the connection's pipeline, writes the ACK a
/// Go client would write, and passes every other frame through unchanged.
public final class PingAnswerer: ChannelInboundHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private static let frameHeaderSize = 9
    private static let pingType: UInt8 = 6
    private static let ackFlag: UInt8 = 1
    /// Bytes received that do not yet make a whole frame.
    private var pending = ByteBuffer()

    public init() {}

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = self.unwrapInboundIn(data)
        self.pending.writeBuffer(&bytes)
        var passOn = ByteBuffer()
        while let length = self.pending.getUInt24(at: self.pending.readerIndex),
            self.pending.readableBytes >= Self.frameHeaderSize + Int(length),
            var frame = self.pending.readSlice(length: Self.frameHeaderSize + Int(length))
        {
            let type = frame.getInteger(at: frame.readerIndex + 3, as: UInt8.self)
            let flags = frame.getInteger(at: frame.readerIndex + 4, as: UInt8.self) ?? 0
            if type == Self.pingType, flags & Self.ackFlag == 0 {
                var ack = frame
                ack.setInteger(flags | Self.ackFlag, at: ack.readerIndex + 4)
                context.writeAndFlush(self.wrapOutboundOut(ack), promise: nil)
            } else {
                passOn.writeBuffer(&frame)
            }
        }
        self.pending.discardReadBytes()
        if passOn.readableBytes > 0 {
            context.fireChannelRead(self.wrapInboundOut(passOn))
        }
    }
}

extension ByteBuffer {
    /// The big-endian 24-bit integer at `index` (an HTTP/2 frame's length), nil if the bytes are not there.
    fileprivate func getUInt24(at index: Int) -> UInt32? {
        guard let high = self.getInteger(at: index, as: UInt8.self),
            let low = self.getInteger(at: index + 1, as: UInt16.self)
        else { return nil }
        return UInt32(high) << 16 | UInt32(low)
    }
}
