import ClientAPI
import Logging
import ServiceLifecycle

/// Runs one member process: its services in a `ServiceGroup` that shuts down gracefully on SIGTERM and
/// SIGINT, with systemd told when the member serves and when it stops.
struct MemberRunner {
    let options: MemberOptions
    let logger: Logger

    /// Runs until shutdown; returns the exit status.
    func run() async -> Int32 {
        let addresses = self.options.listenClientURLs.map { ListenAddress(host: $0.host, port: $0.port) }
        var router = HTTPRouter()
        VersionEndpoint.register(on: &router)
        HealthEndpoint.register(on: &router, checker: NoConsensusHealth())
        let configuration = ClientPortConfiguration(
            maxRequestBytes: self.options.maxRequestBytes,
            keepaliveMinimumPingInterval: self.options.keepaliveMinimumPingInterval,
            keepaliveInterval: self.options.keepaliveInterval,
            keepaliveTimeout: self.options.keepaliveTimeout
        )
        let clientPort = ClientPortServer(
            addresses: addresses,
            services: [],
            http: router,
            configuration: configuration
        )
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: clientPort)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: self.logger
            )
        )
        self.logger.info(
            "starting an etcd member",
            metadata: ["name": "\(self.options.name)", "data-dir": "\(self.options.dataDirectory)"]
        )
        do {
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                tasks.addTask { await self.announceWhenServing(clientPort, expected: addresses.count) }
                try await tasks.waitForAll()
            }
        } catch {
            self.logger.error("member stopped with an error", metadata: ["error": "\(error)"])
            SystemdNotifier.stopping()
            return 1
        }
        SystemdNotifier.stopping()
        self.logger.info("member stopped")
        return 0
    }

    private func announceWhenServing(_ clientPort: ClientPortServer, expected: Int) async {
        let bound = await clientPort.boundAddresses()
        guard bound.count == expected else { return }
        for address in bound {
            self.logger.info(
                "serving client traffic insecurely; this is strongly discouraged!",
                metadata: ["address": "\(address)"]
            )
        }
        SystemdNotifier.ready()
    }
}

/// Health before the member has a consensus module: there can be no leader yet, so the member is not
/// healthy, with etcd's reason for that.
struct NoConsensusHealth: HealthChecker {
    func checkHealth(excludedAlarms: Set<String>, serializable: Bool) async -> HealthStatus {
        HealthStatus(healthy: false, reason: "RAFT NO LEADER")
    }
}
