import ClientAPI
import EtcdProto
import EtcdServer
import GRPCCore
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import Telemetry
import TransportSecurity

/// Runs one member process: starts the server from its data directory, then serves it in a
/// `ServiceGroup` that shuts down gracefully on SIGTERM and SIGINT, with systemd told when the member
/// serves and when it stops.
struct MemberRunner {
    let options: MemberOptions
    let logger: Logger

    /// Runs until shutdown; returns the exit status.
    func run() async -> Int32 {
        MemoryScavenger.configureAllocator()
        self.logger.info(
            "starting an etcd member",
            metadata: ["name": "\(self.options.name)", "data-dir": "\(self.options.dataDirectory)"]
        )
        let metrics = EtcdMetrics(level: self.options.metricsLevel, grpcMethods: ServedMethods.all)
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: metrics.registry))
        var configuration = ServerConfiguration(self.options)
        if configuration.bcryptCost != self.options.bcryptCost {
            self.logger.warning(
                "use default bcrypt cost instead of the invalid given cost",
                metadata: ["min-cost": "4", "max-cost": "31", "default-cost": "10", "given-cost": "\(self.options.bcryptCost)"]
            )
        }
        if case .jwt(let jwt) = self.options.authTokens, !jwt.unknownKeys.isEmpty {
            self.logger.warning("unknown JWT options", metadata: ["keys": "\(jwt.unknownKeys)"])
        }
        configuration.metrics = metrics
        let clientTLS: MemberTLS?
        do {
            clientTLS = try self.tls(.client)
            configuration.peerTransport.tls = try self.tls(.peer)
            configuration.peerTransport.reusePort = self.options.socketReusePort
        } catch {
            self.logger.error("failed to start the member: \(error)")
            return 1
        }
        configuration.clientCertAuth = self.options.clientTLS.clientCertAuth
        let server: EtcdServer
        do {
            server = try await EtcdServer.start(configuration: configuration, logger: self.logger)
        } catch {
            self.logger.error("failed to start the member", metadata: ["error": "\(error)"])
            return 1
        }
        SystemdNotifier.status("member \(String(server.memberID, radix: 16)) started; waiting for a quorum to join the cluster", logger: self.logger)
        let member = MemberService(
            server: server,
            clientPort: self.clientPort(for: server, metrics: metrics, tls: clientTLS, drainTimeout: configuration.requestTimeout),
            metricsListener: self.metricsListener(for: server, metrics: metrics, tls: clientTLS),
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
        let scavenger = Task { await MemoryScavenger.run() }
        defer { scavenger.cancel() }
        do {
            try await group.run()
        } catch let error as ListenFailure {
            self.logger.error("failed to start etcd", metadata: ["error": "\(error)"])
            SystemdNotifier.stopping(logger: self.logger)
            return 1
        } catch {
            self.logger.error("member stopped with an error", metadata: ["error": "\(error)"])
            SystemdNotifier.stopping(logger: self.logger)
            return 1
        }
        SystemdNotifier.stopping(logger: self.logger)
        self.logger.info("member stopped")
        return 0
    }

    /// The HTTP endpoints etcd serves on its metrics URLs: metrics and health, nothing else.
    private func monitoringRoutes(for server: EtcdServer, metrics: EtcdMetrics) -> HTTPRouter {
        var router = HTTPRouter()
        let health = ServerHealth(server: server)
        MetricsEndpoint.register(on: &router, metrics: metrics)
        HealthEndpoint.register(on: &router, checker: health, metrics: metrics.server)
        ProbeEndpoint.register(on: &router, probe: "livez", checks: health.livenessChecks, metrics: metrics.server)
        ProbeEndpoint.register(on: &router, probe: "readyz", checks: health.readinessChecks, metrics: metrics.server)
        return router
    }

    private func metricsListener(for server: EtcdServer, metrics: EtcdMetrics, tls: MemberTLS?) -> HTTPListener? {
        guard !self.options.listenMetricsURLs.isEmpty else { return nil }
        return HTTPListener(
            addresses: self.options.listenMetricsURLs.map { ListenAddress(host: $0.host, port: $0.port, secure: $0.scheme == "https") },
            responder: self.monitoringRoutes(for: server, metrics: metrics),
            tls: tls,
            logger: self.logger
        )
    }

    /// The TLS of one side when one of its URLs is `https://`: the given files, or with auto TLS (and no
    /// files) a self-signed certificate in the data directory's `fixtures`. Throws one line naming the
    /// file at fault.
    private func tls(_ side: MemberTLS.Side) throws(TLSConfigurationError) -> MemberTLS? {
        var settings = side == .client ? self.options.clientTLS : self.options.peerTLS
        let urls = side == .client ? self.options.listenClientURLs + self.options.listenMetricsURLs : self.options.listenPeerURLs
        guard urls.contains(where: { $0.scheme == "https" }) else {
            if settings.hasCertificate {
                self.logger.warning("scheme is http while key and cert files are present; ignoring key and cert files", metadata: ["side": "\(side.rawValue)"])
            }
            return nil
        }
        var selfSigned = false
        if settings.autoTLS {
            if settings.hasCertificate {
                self.logger.warning("ignoring auto TLS since certs given", metadata: ["side": "\(side.rawValue)"])
            } else {
                let directory = "\(self.options.dataDirectory)/fixtures/\(side.rawValue)"
                (settings.certFile, settings.keyFile) = try SelfSignedCertificate.files(
                    in: directory, hosts: Array(Set(urls.map(\.host))).sorted(), validityYears: settings.selfSignedValidityYears
                )
                selfSigned = true
                self.logger.info("made or reused a self-signed certificate", metadata: ["side": "\(side.rawValue)", "cert-file": "\(settings.certFile)"])
            }
        }
        let logger = self.logger
        return try MemberTLS(
            settings: settings,
            side: side,
            selfSigned: selfSigned,
            applicationProtocols: side == .client ? ["http/1.1", "h2"] : [],
            reloadFailed: { error in logger.warning("kept the previous certificate: the changed files cannot be used", metadata: ["error": "\(error)"]) }
        )
    }

    /// The client port; a graceful shutdown waits `drainTimeout` (etcd's request timeout) for open calls.
    private func clientPort(for server: EtcdServer, metrics: EtcdMetrics, tls: MemberTLS?, drainTimeout: Duration) -> ClientPortServer {
        var router = self.monitoringRoutes(for: server, metrics: metrics)
        VersionEndpoint.register(on: &router)
        DebugVarsEndpoint.register(on: &router, server: server)
        let services = ClientServices(
            kv: KVService(server: server),
            watch: WatchService(
                server: server,
                maxResponseBytes: self.options.maxRequestBytes,
                progressNotifyInterval: self.options.watchProgressNotifyInterval
            ),
            lease: LeaseService(server: server),
            cluster: ClusterService(server: server),
            maintenance: MaintenanceService(server: server),
            lock: LockService(server: server),
            election: ElectionService(server: server),
            auth: AuthService(server: server)
        )
        JSONGateway.register(on: &router, services: services)
        var configuration = ClientPortConfiguration(
            maxRequestBytes: self.options.maxRequestBytes,
            keepaliveMinimumPingInterval: self.options.keepaliveMinimumPingInterval,
            keepaliveInterval: self.options.keepaliveInterval,
            keepaliveTimeout: self.options.keepaliveTimeout,
            drainTimeout: drainTimeout
        )
        configuration.maxConcurrentStreams = self.options.maxConcurrentStreams
        configuration.accessControl = self.options.accessControl
        configuration.reusePort = self.options.socketReusePort
        return ClientPortServer(
            addresses: self.options.listenClientURLs.map { ListenAddress(host: $0.host, port: $0.port, secure: $0.scheme == "https") },
            methods: GRPCMethodTable(services: services, metrics: metrics.grpc, requests: metrics.requests),
            http: router,
            configuration: configuration,
            metrics: metrics,
            tls: tls,
            logger: self.logger
        )
    }
}
