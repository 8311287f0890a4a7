import ClientAPI
import EtcdServer
import GRPCCore
import Logging
import ServiceLifecycle

/// Runs one member process: starts the server from its data directory, then serves it in a
/// `ServiceGroup` that shuts down gracefully on SIGTERM and SIGINT, with systemd told when the member
/// serves and when it stops.
struct MemberRunner {
    let options: MemberOptions
    let logger: Logger

    /// Runs until shutdown; returns the exit status.
    func run() async -> Int32 {
        self.logger.info(
            "starting an etcd member",
            metadata: ["name": "\(self.options.name)", "data-dir": "\(self.options.dataDirectory)"]
        )
        let server: EtcdServer
        do {
            server = try await EtcdServer.start(configuration: ServerConfiguration(self.options), logger: self.logger)
        } catch {
            self.logger.error("failed to start the member", metadata: ["error": "\(error)"])
            return 1
        }
        SystemdNotifier.status("member \(String(server.memberID, radix: 16)) started; waiting for a quorum to join the cluster")
        let member = MemberService(
            server: server,
            clientPort: self.clientPort(for: server),
            listenAddresses: self.options.listenClientURLs.count,
            logger: self.logger
        )
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: member, successTerminationBehavior: .gracefullyShutdownGroup)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: self.logger
            )
        )
        do {
            try await group.run()
        } catch {
            self.logger.error("member stopped with an error", metadata: ["error": "\(error)"])
            SystemdNotifier.stopping()
            return 1
        }
        SystemdNotifier.stopping()
        self.logger.info("member stopped")
        return 0
    }

    private func clientPort(for server: EtcdServer) -> ClientPortServer {
        var router = HTTPRouter()
        VersionEndpoint.register(on: &router)
        HealthEndpoint.register(on: &router, checker: ServerHealth(server: server))
        JSONGateway.register(
            on: &router,
            server: server,
            maxResponseBytes: self.options.maxRequestBytes,
            progressNotifyInterval: self.options.watchProgressNotifyInterval
        )
        let configuration = ClientPortConfiguration(
            maxRequestBytes: self.options.maxRequestBytes,
            keepaliveMinimumPingInterval: self.options.keepaliveMinimumPingInterval,
            keepaliveInterval: self.options.keepaliveInterval,
            keepaliveTimeout: self.options.keepaliveTimeout
        )
        let services: [any RegistrableRPCService] = [
            KVService(server: server),
            WatchService(
                server: server,
                maxResponseBytes: self.options.maxRequestBytes,
                progressNotifyInterval: self.options.watchProgressNotifyInterval
            ),
            LeaseService(server: server),
            ClusterService(server: server),
            MaintenanceService(server: server),
        ]
        return ClientPortServer(
            addresses: self.options.listenClientURLs.map { ListenAddress(host: $0.host, port: $0.port) },
            services: services,
            http: router,
            configuration: configuration
        )
    }
}
