import EtcdProto
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import TransportSecurity

/// Plain HTTP/1.1 listeners with no gRPC: `--listen-metrics-urls` serves `/metrics` and the health
/// endpoints this way, from the start of the member (before it joins its cluster), as etcd does. An
/// `https://` address serves TLS with the client port's certificate, as etcd's metrics URLs do.
public final class HTTPListener: Sendable {
    private let addresses: [ListenAddress]
    private let responder: any HTTPResponder
    private let tls: MemberTLS?
    private let logger: Logger
    private let eventLoopGroup: any EventLoopGroup
    private let channels = NIOLockedValueBox<[any Channel]>([])
    private let stopped = NIOLockedValueBox(false)

    /// Requests larger than this are refused: the endpoints served here take no body.
    static let maxBodyBytes = 64 * 1024

    /// Prepares listeners on `addresses`; nothing is bound until ``run()``.
    public init(
        addresses: [ListenAddress],
        responder: any HTTPResponder,
        tls: MemberTLS? = nil,
        logger: Logger = Logger(label: "etcd.metrics"),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.addresses = addresses
        self.responder = responder
        self.tls = tls
        self.logger = logger
        self.eventLoopGroup = eventLoopGroup
    }

    /// Binds every address and serves until ``shutdown()``. Throws if an address cannot be bound (the
    /// listeners already bound are closed).
    public func run() async throws {
        let (responder, tls, logger) = (self.responder, self.tls, self.logger)
        do {
            for address in self.addresses {
                if address.secure, tls == nil {
                    throw TLSConfigurationError("TLS key/cert (--cert-file, --key-file) must be provided for metrics url https://\(address) with HTTPS scheme")
                }
                let channel: any Channel
                do {
                    channel = try await ServerBootstrap(group: self.eventLoopGroup)
                        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                        .childChannelInitializer { channel in
                            channel.eventLoop.makeCompletedFuture {
                                let pipeline = channel.pipeline.syncOperations
                                if address.secure, let tls { try tls.addServerHandlers(to: pipeline, logger: logger) }
                                try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
                                try pipeline.addHandler(HTTPServerHandler(responder: responder, maxBodyBytes: Self.maxBodyBytes))
                            }
                        }
                        .bind(host: address.host, port: address.port)
                        .get()
                } catch let error as IOError {
                    throw ListenFailure(host: address.host, port: address.port, errno: error.errnoCode, reason: "\(error)")
                }
                let stopNow = self.stopped.withLockedValue { stopped in
                    if !stopped { self.channels.withLockedValue { $0.append(channel) } }
                    return stopped
                }
                if stopNow { try? await channel.close() }
            }
        } catch {
            self.shutdown()
            throw error
        }
        for channel in self.channels.withLockedValue({ $0 }) {
            try? await channel.closeFuture.get()
        }
    }

    /// The bound addresses, with the ports chosen for port 0.
    public var boundAddresses: [ListenAddress] {
        self.channels.withLockedValue { $0 }.compactMap { channel in
            guard let address = channel.localAddress, let host = address.ipAddress, let port = address.port else { return nil }
            return ListenAddress(host: host, port: port, secure: self.addresses.contains { $0.secure && $0.port == port })
        }
    }

    /// Closes every listener; ``run()`` then returns.
    public func shutdown() {
        let channels = self.stopped.withLockedValue { stopped in
            stopped = true
            return self.channels.withLockedValue { $0 }
        }
        for channel in channels { channel.close(promise: nil) }
    }
}
