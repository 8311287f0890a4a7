import NIOCore
import Prometheus
import Telemetry

/// Counts the bytes a gRPC connection receives and sends, for `etcd_network_client_grpc_*_bytes_total`.
/// It sits first in the connection's gRPC pipeline, so it counts HTTP/2 frames as they cross the socket.
final class ByteCountingHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private let received: Counter
    private let sent: Counter

    init(received: Counter, sent: Counter) {
        self.received = received
        self.sent = sent
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.received.increment(by: Int64(Self.unwrapInboundIn(data).readableBytes))
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch Self.unwrapOutboundIn(data) {
        case .byteBuffer(let buffer): self.sent.increment(by: Int64(buffer.readableBytes))
        case .fileRegion(let region): self.sent.increment(by: Int64(region.readableBytes))
        }
        context.write(data, promise: promise)
    }
}
