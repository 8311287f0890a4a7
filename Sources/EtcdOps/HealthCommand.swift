import ArgumentParser
import Foundation
import GoFormat
import Operations

/// `etcd-ops health`: a container healthcheck, exit 0 when the member is healthy and 1 when not.
struct HealthCommand: OpsCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Check one member's health for a container healthcheck (exit 0 healthy, 1 not).",
        discussion: """
            Healthy as etcdctl endpoint health says: a linearizable read succeeds and no alarm is raised.

            Example (docker compose):
              healthcheck:
                test: ["CMD", "etcd-ops", "health", "--endpoint", "http://127.0.0.1:2379"]
            """
    )

    static let environmentFlags: [(name: String, isSwitch: Bool)] = [("endpoint", false)]

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "The member to check (default: the first of --endpoints).")
    var endpoint: String?

    mutating func execute() async throws {
        let settings = try await Failure.reporting { () throws(OpsError) in try self.connection.settings() }
        guard let endpoint = self.endpoint ?? settings.endpoints.first else {
            Failure.print("no endpoint given")
            throw ExitCode(OpsError.Kind.usage.rawValue)
        }
        let probe = await MemberProbe.probe(endpoint, settings: settings)
        if probe.healthy {
            Output.line("\(endpoint) is healthy: successfully committed proposal: took = \(probe.latency?.goString ?? "0s")")
        } else {
            Failure.print("\(endpoint) is unhealthy: \(probe.problem ?? "unknown")")
            throw ExitCode(OpsError.Kind.failed.rawValue)
        }
    }
}
