import EtcdProto
import Logging
import NIOCore
import NIOPosix
import TransportSecurity

/// Accepts peer connections on one `--listen-peer-urls` address and serves each in its own task.
struct PeerListener {
    let address: PeerAddress
    let eventLoopGroup: any EventLoopGroup
    let maxFrameBytes: Int
    /// TLS for accepted connections on an `https://` address, with the allowed-CN and allowed-hostname
    /// checks; nil for plain TCP.
    let tls: MemberTLS?
    /// `SO_REUSEPORT` on the listening socket.
    let reusePort: Bool
    let logger: Logger
    /// Makes the handler that serves message streams, one per accepted connection.
    let makeReceiver: @Sendable () -> PeerStreamReceiver

    /// Binds the address; the returned channel yields accepted, framed connections. A failure to bind is
    /// a ``ListenFailure``.
    func bind() async throws -> NIOAsyncChannel<PeerChannel, Never> {
        let (maxFrameBytes, makeReceiver, logger) = (self.maxFrameBytes, self.makeReceiver, self.logger)
        let tls = self.address.secure ? self.tls : nil
        do {
            return try await ServerBootstrap(group: self.eventLoopGroup)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelOption(.socketOption(NIOBSDSocket.Option(rawValue: SO_REUSEPORT)), value: self.reusePort ? 1 : 0)
                .serverChannelOption(.backlog, value: 256)
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                .bind(host: self.address.host, port: self.address.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tls { try tls.addServerHandlers(to: channel.pipeline.syncOperations, logger: logger) }
                        return try PeerPipeline.install(on: channel, maxFrameBytes: maxFrameBytes, receiver: makeReceiver())
                    }
                }
        } catch let error as IOError {
            throw ListenFailure(host: self.address.host, port: self.address.port, errno: error.errnoCode, reason: "\(error)")
        }
    }

    /// Serves every connection accepted on `server` until it closes.
    static func serve(_ server: NIOAsyncChannel<PeerChannel, Never>, with connection: InboundConnection) async throws {
        try await server.executeThenClose { accepted in
            try await withThrowingDiscardingTaskGroup { group in
                for try await channel in accepted {
                    group.addTask { await connection.serve(channel) }
                }
            }
        }
    }
}
