import Logging
import NIOCore
import NIOSSL
import NIOTLS

/// Sits behind the TLS handler of an accepted connection (client port, metrics, peer port): once the
/// handshake completes it reads the client's certificate, refuses one the allowed-CN or allowed-hostname
/// check rejects, and remembers its Common Name (``commonName``) for certificate auth; a failed handshake
/// (an untrusted or missing certificate, a plain-text client) is logged and the connection closed. A
/// refused connection's bytes (TLS may already have decrypted requests sent with the handshake's end) are
/// dropped, never passed on, while TLS closes.
public final class TLSConnectionGuard: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer

    private let tls: MemberTLS
    private let logger: Logger
    /// The verified client certificate's Common Name, once the handshake has completed.
    public private(set) var commonName: String?
    private var refused = false

    public init(tls: MemberTLS, logger: Logger) {
        self.tls = tls
        self.logger = logger
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event {
            let handler = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)
            let certificate = handler?.peerCertificate.flatMap(PeerCertificate.init)
            if let refusal = self.tls.refusal(of: certificate) {
                self.refused = true
                self.logger.warning(
                    "rejected connection",
                    metadata: ["remote-addr": "\(context.remoteAddress?.description ?? "?")", "error": "\(refusal)"]
                )
                context.close(promise: nil)
                return
            }
            self.commonName = certificate?.commonName
        }
        context.fireUserInboundEventTriggered(event)
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !self.refused else { return }
        context.fireChannelRead(data)
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if case NIOSSLError.uncleanShutdown = error {
            // A client that hung up without TLS's closing message (Go clients do): not a refusal.
            context.close(promise: nil)
            return
        }
        if error is NIOSSLError || error is BoringSSLError {
            self.logger.warning(
                "rejected connection",
                metadata: ["remote-addr": "\(context.remoteAddress?.description ?? "?")", "server-name": "", "error": "\(error)"]
            )
            context.close(promise: nil)
            return
        }
        context.fireErrorCaught(error)
    }
}

extension MemberTLS {
    /// Puts TLS at the front of an accepted connection's pipeline, with its ``TLSConnectionGuard`` behind.
    public func addServerHandlers(to pipeline: ChannelPipeline.SynchronousOperations, logger: Logger) throws {
        try pipeline.addHandler(NIOSSLServerHandler(context: self.serverContext()))
        try pipeline.addHandler(TLSConnectionGuard(tls: self, logger: logger))
    }
}
