import EtcdProto
import NIOCore
import NIOPosix
import NIOSSL
import TransportSecurity

/// A framed connection to or from a peer: one protobuf message per frame.
typealias PeerChannel = NIOAsyncChannel<ByteBuffer, ByteBuffer>

/// Opens framed connections to peers and performs the dialer's side of the handshake.
struct PeerConnector: Sendable {
    let eventLoopGroup: any EventLoopGroup
    let configuration: PeerTransportConfiguration

    /// Connects to `address` with the configured timeout (over TLS for an `https://` address) and installs
    /// the frame codec.
    func connect(to address: PeerAddress) async throws -> PeerChannel {
        let timeout = TimeAmount.nanoseconds(
            Int64(self.configuration.dialTimeout.components.seconds) * 1_000_000_000
                + self.configuration.dialTimeout.components.attoseconds / 1_000_000_000
        )
        let maxFrameBytes = self.configuration.maxFrameBytes
        guard !address.secure || self.configuration.tls != nil else {
            throw PeerProtocolError("peer URL https://\(address) needs the peer TLS flags (--peer-cert-file, --peer-key-file)")
        }
        let tls = address.secure ? self.configuration.tls : nil
        let serverName = IPAddressText.isAddress(address.host) ? nil : address.host
        return try await ClientBootstrap(group: self.eventLoopGroup)
            .connectTimeout(timeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connect(host: address.host, port: address.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: tls.clientContext(), serverHostname: serverName)
                        )
                    }
                    return try PeerPipeline.install(on: channel, maxFrameBytes: maxFrameBytes)
                }
            }
    }

    /// Sends `hello` and waits for the acceptor's verdict; throws ``PeerRefusal`` when refused.
    static func handshake(
        _ hello: Memberpb_PeerHello,
        inbound: inout NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) async throws {
        try await outbound.write(PeerFrames.encode(hello))
        guard let frame = try await inbound.next() else {
            throw PeerProtocolError("the peer closed the connection during the handshake")
        }
        let reply = try PeerFrames.decode(Memberpb_PeerHelloReply.self, from: frame)
        guard reply.accepted else { throw PeerRefusal(reason: reply.error) }
    }
}

/// The pipeline of every peer connection, either side.
enum PeerPipeline {
    /// Frames the connection; an accepted one also gets `receiver`, which serves message streams itself.
    ///
    /// An accepted connection closes itself if it is dropped unserved: one accepted while the member stops
    /// lands in the listener's stream after the accept loop has ended, and NIO traps on a wrapper dropped
    /// with its writer unfinished (a member failing its initial corruption check crashed so when peers
    /// reconnected). NIO keeps that teardown only in the initializer it has deprecated.
    static func install(on channel: any Channel, maxFrameBytes: Int, receiver: PeerStreamReceiver? = nil) throws -> PeerChannel {
        let pipeline = channel.pipeline.syncOperations
        try pipeline.addHandler(ByteToMessageHandler(PeerFrameDecoder(maxFrameBytes: maxFrameBytes)))
        try pipeline.addHandler(MessageToByteHandler(PeerFrameEncoder()))
        guard let receiver else { return try PeerChannel(wrappingChannelSynchronously: channel) }
        try pipeline.addHandler(receiver)
        return try PeerChannel(synchronouslyWrapping: channel)
    }
}

/// A peer refused a connection; `reason` is its explanation.
public struct PeerRefusal: Error, CustomStringConvertible, Equatable {
    /// The reason a peer gives when the dialer was removed from the cluster.
    public static let removedMemberReason = "the member has been permanently removed from the cluster"

    public var reason: String

    public var description: String { "peer refused the connection: \(self.reason)" }

    /// Whether the refusal says the dialer itself is no longer a member.
    public var meansRemoved: Bool { self.reason == Self.removedMemberReason }
}
