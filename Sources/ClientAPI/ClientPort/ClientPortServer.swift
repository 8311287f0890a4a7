import Logging
import NIOCore
import NIOPosix
import Telemetry
import TransportSecurity

/// Serves the client API on every listen address: gRPC and HTTP/1.1 on each port, all sharing the same
/// gRPC methods and HTTP responder.
public final class ClientPortServer: Sendable {
    private let listeners: [ClientPortListener]

    /// Prepares the listeners; nothing is bound until ``serve()``. With `metrics`, the bytes of every gRPC
    /// connection are counted there (the methods count their calls themselves). `tls` serves the secure
    /// addresses; refused handshakes are logged to `logger`.
    public init(
        addresses: [ListenAddress],
        methods: GRPCMethodTable,
        http: any HTTPResponder,
        configuration: ClientPortConfiguration = .defaults,
        metrics: EtcdMetrics? = nil,
        tls: MemberTLS? = nil,
        logger: Logger = Logger(label: "etcd.client-port"),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.listeners = addresses.map { address in
            ClientPortListener(
                address: address,
                methods: methods,
                http: http,
                configuration: configuration,
                network: metrics?.network,
                tls: tls,
                logger: logger,
                eventLoopGroup: eventLoopGroup
            )
        }
    }

    /// Binds every address and serves until ``beginGracefulShutdown()`` has drained all of them.
    /// Throws if an address cannot be bound; the other listeners are then shut down too.
    public func serve() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for listener in self.listeners {
                group.addTask { try await listener.serve() }
            }
            do {
                // The first failure ends the rest (`waitForAll` would wait for them all first).
                while try await group.next() != nil {}
            } catch {
                self.beginGracefulShutdown()
                throw error
            }
        }
    }

    /// The bound addresses, in the order given, with the ports the system chose for port 0; waits until
    /// each listener is bound. An address that failed to bind is missing.
    public func boundAddresses() async -> [ListenAddress] {
        var bound: [ListenAddress] = []
        for listener in self.listeners {
            if let address = await listener.boundAddress() { bound.append(address) }
        }
        return bound
    }

    /// Stops accepting connections; open calls are allowed to finish.
    public func beginGracefulShutdown() {
        for listener in self.listeners { listener.beginGracefulShutdown() }
    }
}
