import Logging
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS

/// Sits behind the TLS handler of an accepted connection (client port, metrics, peer port): once the
/// handshake completes it reads the client's certificate, refuses one the allowed-CN or allowed-hostname
/// check rejects or, on the peer port, one whose names do not lead to the peer's address
/// (``ClientSANCheck``), and remembers its Common Name (``commonName``) for certificate auth; a failed
/// handshake (an untrusted or missing certificate, a plain-text client) is logged and the connection closed.
/// A refused connection's bytes (TLS may already have decrypted requests sent with the handshake's end) are
/// dropped, never passed on, while TLS closes. While the DNS half of the address check runs (on NIO's thread
/// pool, never on the event loop), the handshake's event and any bytes wait here.
public final class TLSConnectionGuard: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer

    private enum Stage {
        case handshaking
        /// The address check's name lookups are running; what arrived meanwhile waits.
        case checkingNames(event: Any, held: [NIOAny])
        case accepted
        case refused
    }

    private let tls: MemberTLS
    private let logger: Logger
    /// The verified client certificate's Common Name, once the handshake has completed.
    public private(set) var commonName: String?
    private var stage = Stage.handshaking

    public init(tls: MemberTLS, logger: Logger) {
        self.tls = tls
        self.logger = logger
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case TLSUserEvent.handshakeCompleted = event else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        let handler = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)
        let certificate = handler?.peerCertificate.flatMap(PeerCertificate.init)
        if let refusal = self.tls.refusal(of: certificate) {
            self.refuse(context: context, refusal)
            return
        }
        self.commonName = certificate?.commonName
        guard self.tls.side == .peer, !self.tls.settings.skipClientSANVerify, let certificate else {
            self.accept(context: context, event: event, held: [])
            return
        }
        let host = context.remoteAddress?.ipAddress ?? ""
        switch ClientSANCheck.check(certificate, host: host) {
        case .accepted:
            self.accept(context: context, event: event, held: [])
        case .refused(let reason):
            self.refuse(context: context, reason)
        case .needsLookup:
            self.stage = .checkingNames(event: event, held: [])
            let names = certificate.dnsNames
            let lookup = NIOThreadPool.singleton.runIfActive(eventLoop: context.eventLoop) {
                ClientSANCheck.lookUp(host: host, dnsNames: names)
            }
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            lookup.whenComplete { result in
                let (guardHandler, context) = bound.value
                guard case .checkingNames(let event, let held) = guardHandler.stage else { return }
                switch result {
                case .success(nil): guardHandler.accept(context: context, event: event, held: held)
                case .success(let refusal?): guardHandler.refuse(context: context, refusal)
                case .failure(let error): guardHandler.refuse(context: context, "\(error)")
                }
            }
        }
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.stage {
        case .refused:
            return
        case .checkingNames(let event, var held):
            held.append(data)
            self.stage = .checkingNames(event: event, held: held)
        case .handshaking, .accepted:
            context.fireChannelRead(data)
        }
    }

    public func channelInactive(context: ChannelHandlerContext) {
        if case .checkingNames = self.stage { self.stage = .refused }
        context.fireChannelInactive()
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        switch self.stage {
        case .checkingNames, .refused: return
        case .handshaking, .accepted: context.fireChannelReadComplete()
        }
    }

    private func accept(context: ChannelHandlerContext, event: Any, held: [NIOAny]) {
        self.stage = .accepted
        context.fireUserInboundEventTriggered(event)
        for data in held { context.fireChannelRead(data) }
        if !held.isEmpty { context.fireChannelReadComplete() }
    }

    private func refuse(context: ChannelHandlerContext, _ reason: String) {
        self.stage = .refused
        self.logger.warning(
            "rejected connection",
            metadata: ["remote-addr": "\(context.remoteAddress?.description ?? "?")", "error": "\(reason)"]
        )
        context.close(promise: nil)
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
