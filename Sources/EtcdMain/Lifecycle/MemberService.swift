import ClientAPI
import EtcdProto
import EtcdServer
import Logging
import ServiceLifecycle

/// One started member as a lifecycle service: runs the server, opens the client port once the member has
/// published itself to the cluster (etcd serves clients only from then on), tells systemd it is ready,
/// and on graceful shutdown hands leadership away, drains client calls and stops the server.
struct MemberService: Service {
    let server: EtcdServer
    let clientPort: ClientPortServer
    /// `--listen-metrics-urls`, served from the start, before the member has joined its cluster.
    let metricsListener: HTTPListener?
    let listenAddresses: Int
    let logger: Logger

    /// Ends normally after a graceful shutdown or when the cluster removed this member.
    func run() async throws {
        let (readiness, becameReady) = AsyncStream.makeStream(of: Void.self)
        do {
            try await withGracefulShutdownHandler {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    if let metricsListener = self.metricsListener {
                        group.addTask { try await metricsListener.run() }
                    }
                    group.addTask {
                        defer {
                            becameReady.finish()
                            self.clientPort.beginGracefulShutdown()
                            self.metricsListener?.shutdown()
                        }
                        try await self.server.run(ready: { becameReady.yield(); becameReady.finish() })
                    }
                    group.addTask {
                        for await _ in readiness {
                            try await self.serveClients()
                        }
                    }
                    // The first failure (a port that cannot be bound) ends the rest; `waitForAll` would
                    // wait for the server, which runs until it is told to stop.
                    while try await group.next() != nil {}
                }
            } onGracefulShutdown: {
                self.server.beginShutdown()
            }
        } catch let error as EtcdError where error == EtcdServer.removedFromCluster {
            self.logger.warning("the member has been permanently removed from the cluster; exiting")
        } catch {
            await self.server.stop()
            throw error
        }
        await self.server.stop()
    }

    private func serveClients() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.clientPort.serve() }
            group.addTask { await self.announce() }
            while try await group.next() != nil {}
        }
    }

    private func announce() async {
        let bound = await self.clientPort.boundAddresses()
        guard bound.count == self.listenAddresses else { return }
        for address in bound {
            self.logger.info(
                address.secure ? "serving client traffic securely" : "serving client traffic insecurely; this is strongly discouraged!",
                metadata: ["traffic": "grpc+http", "address": "\(address)"]
            )
        }
        self.logger.info("ready to serve client requests")
        let member = String(self.server.memberID, radix: 16)
        SystemdNotifier.ready(status: "member \(member) serving client requests on \(bound.map(\.description).joined(separator: ","))", logger: self.logger)
    }
}
