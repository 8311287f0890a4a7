import EtcdProto
import Logging
import NIOCore
import Raft
import RaftWire

/// The first handler after the frame decoder on an accepted peer connection. It reads the hello: a
/// message stream (the one hot conversation) is checked, answered and then served right here on the
/// event loop, each Raft message decoded and handed to the delegate as it arrives, with no task in
/// between. A probe is echoed here too, frame by frame, so that the prober's round trip times the network
/// and the two event loops only. Every other conversation (snapshots, queries) passes through untouched,
/// hello included, to the connection's task (``InboundConnection``).
final class PeerStreamReceiver: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum State {
        case awaitingHello
        case stream(from: UInt64)
        case probe
        case passingThrough
        case refused
    }

    private let identity: PeerIdentity
    private let delegate: any PeerTransportDelegate
    private let observer: (any PeerTrafficObserver)?
    private let logger: Logger
    private var state = State.awaitingHello

    init(identity: PeerIdentity, delegate: any PeerTransportDelegate, observer: (any PeerTrafficObserver)?, logger: Logger) {
        self.identity = identity
        self.delegate = delegate
        self.observer = observer
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.state {
        case .passingThrough:
            context.fireChannelRead(data)
        case .refused:
            return
        case .stream(let peer):
            self.deliver(Self.unwrapInboundIn(data), from: peer, context: context)
        case .probe:
            context.writeAndFlush(data, promise: nil)
        case .awaitingHello:
            let frame = Self.unwrapInboundIn(data)
            guard let hello = try? PeerFrames.decode(Memberpb_PeerHello.self, from: frame), hello.kind == .stream || hello.kind == .probe
            else {
                self.state = .passingThrough
                context.fireChannelRead(data)
                return
            }
            self.open(hello, context: context)
        }
    }

    /// Answers a stream's or a probe's hello: accepted, or refused with the reason and closed.
    private func open(_ hello: Memberpb_PeerHello, context: ChannelHandlerContext) {
        var reply = Memberpb_PeerHelloReply()
        if let refusal = PeerHelloCheck(identity: self.identity, delegate: self.delegate).refusal(of: hello) {
            self.state = .refused
            reply.error = refusal
            self.logger.warning("refused a peer connection", metadata: ["from": "\(hex(hello.from))", "reason": "\(refusal)"])
            let channel = context.channel
            self.answer(reply, context: context).whenComplete { _ in channel.close(promise: nil) }
            return
        }
        self.state = hello.kind == .probe ? .probe : .stream(from: hello.from)
        reply.accepted = true
        _ = self.answer(reply, context: context)
    }

    private func answer(_ reply: Memberpb_PeerHelloReply, context: ChannelHandlerContext) -> EventLoopFuture<Void> {
        do {
            return context.writeAndFlush(Self.wrapOutboundOut(try PeerFrames.encode(reply)))
        } catch {
            context.close(promise: nil)
            return context.eventLoop.makeFailedFuture(error)
        }
    }

    private func deliver(_ frame: ByteBuffer, from peer: UInt64, context: ChannelHandlerContext) {
        self.observer?.received(bytes: frame.readableBytes + PeerFrameEncoder.headerBytes, from: peer)
        do {
            let proto = try PeerFrames.decode(Memberpb_Message.self, from: frame)
            guard let message = Raft.Message(proto: proto) else {
                throw PeerProtocolError("unknown Raft message type \(proto.type.rawValue)")
            }
            guard message.from == peer else {
                throw PeerProtocolError("a message from \(hex(message.from)) on the stream of \(hex(peer))")
            }
            self.delegate.receive(message)
        } catch {
            self.observer?.receiveFailed(from: peer)
            self.logger.warning("closed a peer stream that broke the protocol", metadata: ["from": "\(hex(peer))", "error": "\(error)"])
            self.state = .refused
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard case .stream(let peer) = self.state else {
            context.fireErrorCaught(error)
            return
        }
        self.observer?.receiveFailed(from: peer)
        self.logger.debug("peer connection ended", metadata: ["from": "\(hex(peer))", "error": "\(error)"])
        context.close(promise: nil)
    }
}
