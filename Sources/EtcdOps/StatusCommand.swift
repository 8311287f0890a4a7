import ArgumentParser
import Foundation
import Operations

/// `etcd-ops status`: one table of the cluster's members; exit 1 when any is unhealthy.
struct StatusCommand: OpsCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show every member's status, health and lag in one table; exit 1 when any is unhealthy, 2 when none answers.",
        discussion: """
            Columns: endpoint, member id, name, version, database size, in use, quota use, leader, learner, Raft \
            term, index and applied index, lag behind the leader, alarms and errors, health (a linearizable read \
            and no alarm), the read's latency.

            Example:
              etcd-ops status --endpoints=10.0.0.1:2379 --cluster
            """
    )

    static let environmentFlags: [(name: String, isSwitch: Bool)] = [("cluster", true), ("write-out", false)]

    @OptionGroup var connection: ConnectionOptions

    @Flag(help: "Ask every member in the member list, not only the given endpoints.")
    var cluster = false

    @Option(name: [.customShort("w"), .customLong("write-out")], help: "table or json.")
    var writeOut = "table"

    func validate() throws {
        guard ["table", "json"].contains(self.writeOut) else { throw ValidationError("--write-out must be table or json") }
    }

    mutating func execute() async throws {
        let status = try await Failure.reporting { () throws(OpsError) in
            try await ClusterStatus.gather(settings: try self.connection.settings(), cluster: self.cluster)
        }
        if self.writeOut == "json" {
            do {
                Output.text(try status.json())
            } catch {
                Failure.print("cannot encode the status: \(error)")
                throw ExitCode(OpsError.Kind.failed.rawValue)
            }
        } else {
            Output.text(status.table)
        }
        if status.probes.allSatisfy({ $0.status == nil }) { throw ExitCode(OpsError.Kind.unreachable.rawValue) }
        if !status.isHealthy { throw ExitCode(OpsError.Kind.failed.rawValue) }
    }
}
