import EtcdProto
import Logging
import NIOCore
import NIOPosix
import Raft
import RaftWire

/// Serves one accepted peer connection: checks the hello, then runs the conversation it names.
struct InboundConnection {
    let identity: PeerIdentity
    let delegate: any PeerTransportDelegate
    let threadPool: NIOThreadPool
    let observer: (any PeerTrafficObserver)?
    let logger: Logger

    func serve(_ channel: PeerChannel) async {
        do {
            try await channel.executeThenClose { inbound, outbound in
                var frames = inbound.makeAsyncIterator()
                guard let first = try await frames.next() else { return }
                let hello = try PeerFrames.decode(Memberpb_PeerHello.self, from: first)
                if let refusal = self.refusal(of: hello) {
                    var reply = Memberpb_PeerHelloReply()
                    reply.error = refusal
                    try await outbound.write(PeerFrames.encode(reply))
                    self.logger.warning(
                        "refused a peer connection",
                        metadata: ["from": "\(hex(hello.from))", "reason": "\(refusal)"]
                    )
                    return
                }
                var accepted = Memberpb_PeerHelloReply()
                accepted.accepted = true
                try await outbound.write(PeerFrames.encode(accepted))
                switch hello.kind {
                case .stream:
                    do {
                        try await self.receiveStream(&frames, from: hello.from)
                    } catch {
                        self.observer?.receiveFailed(from: hello.from)
                        throw error
                    }
                case .snapshot:
                    let receiver = SnapshotReceiver(delegate: self.delegate, threadPool: self.threadPool, logger: self.logger)
                    try await receiver.receive(&frames, outbound: outbound)
                case .clusterQuery:
                    try await outbound.write(PeerFrames.encode(self.delegate.clusterMembers()))
                case .leaderQuery:
                    guard let frame = try await frames.next() else { return }
                    let request = try PeerFrames.decode(Memberpb_LeaderRequest.self, from: frame)
                    try await outbound.write(PeerFrames.encode(await self.delegate.answerLeaderQuery(request)))
                case .hashKv:
                    guard let frame = try await frames.next() else { return }
                    let request = try PeerFrames.decode(Etcdserverpb_HashKVRequest.self, from: frame)
                    try await outbound.write(PeerFrames.encode(await self.delegate.answerHashKV(request)))
                case .probe:
                    while let frame = try await frames.next() {
                        try await outbound.write(frame)
                    }
                case .UNRECOGNIZED(let kind):
                    throw PeerProtocolError("unknown conversation kind \(kind)")
                }
            }
        } catch {
            self.logger.debug("peer connection ended", metadata: ["error": "\(error)"])
        }
    }

    /// Why the hello is refused, or nil to accept it. A cluster query is answered to anyone.
    private func refusal(of hello: Memberpb_PeerHello) -> String? {
        if hello.kind == .clusterQuery { return nil }
        if self.delegate.isRemoved(hello.from) { return PeerRefusal.removedMemberReason }
        if hello.clusterID != self.identity.clusterID {
            return "cluster ID mismatch: local \(hex(self.identity.clusterID)), remote \(hex(hello.clusterID))"
        }
        if hello.to != self.identity.memberID {
            return "member ID mismatch: this is \(hex(self.identity.memberID)), the peer dialed \(hex(hello.to))"
        }
        return nil
    }

    private func receiveStream(_ frames: inout NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator, from peer: UInt64) async throws {
        while let frame = try await frames.next() {
            self.observer?.received(bytes: frame.readableBytes + PeerFrameEncoder.headerBytes, from: peer)
            let proto = try PeerFrames.decode(Memberpb_Message.self, from: frame)
            guard let message = Raft.Message(proto: proto) else {
                throw PeerProtocolError("unknown Raft message type \(proto.type.rawValue)")
            }
            self.delegate.receive(message)
        }
    }
}
