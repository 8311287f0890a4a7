import Logging
import NIOCore
import NIOSSL
import NIOTLS

/// Sits behind the TLS handler of an accepted connection (client port, metrics, peer port): once the
/// handshake completes it reads the client's certificate, refuses one the allowed-CN or allowed-hostname
/// check rejects, and remembers its Common Name (``commonName``) for certificate auth; a failed handshake
/// (an untrusted or missing certificate, a plain-text client) is logged and the connection closed.
/// Nothing else changes.
public final class TLSConnectionGuard: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer

    private let tls: MemberTLS
    private let logger: Logger
    /// The verified client certificate's Common Name, once the handshake has completed.
    public private(set) var commonName: String?

    public init(tls: MemberTLS, logger: Logger) {
        self.tls = tls
        self.logger = logger
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event {
            let handler = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)
            let certificate = handler?.peerCertificate.flatMap(PeerCertificate.init)
            if let refusal = self.tls.refusal(of: certificate) {
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
