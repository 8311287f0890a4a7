import EtcdProto
import Logging
import NIOCore
import NIOPosix

/// Serves one accepted peer connection that is not a message stream (``PeerStreamReceiver`` serves those
/// in the pipeline and passes nothing on): checks the hello, then runs the conversation it names.
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
                if let refusal = PeerHelloCheck(identity: self.identity, delegate: self.delegate).refusal(of: hello) {
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
                case .snapshot:
                    let receiver = SnapshotReceiver(
                        delegate: self.delegate, threadPool: self.threadPool, observer: self.observer, logger: self.logger
                    )
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
                case .stream, .probe:
                    throw PeerProtocolError("a \(hello.kind == .stream ? "message stream" : "probe") reached the connection task")
                case .UNRECOGNIZED(let kind):
                    throw PeerProtocolError("unknown conversation kind \(kind)")
                }
            }
        } catch {
            self.logger.debug("peer connection ended", metadata: ["error": "\(error)"])
        }
    }
}
