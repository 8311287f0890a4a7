import ArgumentParser
import Foundation
import Logging
import Operations
import Restore

/// `etcd-ops restore`: a backup made into the data directories of a new cluster's members, with
/// etcdutl snapshot restore's flags; `--member NAME=DATA_DIR` repeated restores several members at once.
struct RestoreCommand: OpsCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup (zlib, gzip or raw; ours or Go etcd's) into new members' data directories.",
        discussion: """
            The flags are etcdutl snapshot restore's. Every member of the new cluster restores from the same \
            file with the same --initial-cluster and token; with --member NAME=DATA_DIR (repeatable) one call \
            makes each of them, taking each member's peer URLs from --initial-cluster. --cluster-from FILE reads \
            the members from YAML instead: initial-cluster-token, and members with name, data-dir, peer-urls \
            and an optional wal-dir.

            Example (three members in one call):
              etcd-ops restore backup.db.zlib --initial-cluster-token new-1 \\
                --initial-cluster m1=http://10.0.0.1:2380,m2=http://10.0.0.2:2380,m3=http://10.0.0.3:2380 \\
                --member m1=/srv/m1 --member m2=/srv/m2 --member m3=/srv/m3
            """
    )

    static let environmentFlags: [(name: String, isSwitch: Bool)] = [
        ("data-dir", false), ("wal-dir", false), ("name", false), ("initial-cluster", false), ("initial-cluster-token", false),
        ("initial-advertise-peer-urls", false), ("skip-hash-check", true), ("bump-revision", false), ("mark-compacted", true),
    ]

    @Argument(help: "The backup or snapshot file.")
    var file: String

    @Option(name: .customLong("data-dir"), help: "Path to the data directory (default <name>.etcd).")
    var dataDir = ""

    @Option(name: .customLong("wal-dir"), help: "Path to the WAL directory (default <data-dir>/member/wal).")
    var walDir = ""

    @Option(help: "Human-readable name for this member.")
    var name = "default"

    @Option(name: .customLong("initial-cluster"), help: "Initial cluster configuration for restore bootstrap.")
    var initialCluster = "default=http://localhost:2380"

    @Option(name: .customLong("initial-cluster-token"), help: "Initial cluster token for the etcd cluster during restore bootstrap.")
    var initialClusterToken = "etcd-cluster"

    @Option(name: .customLong("initial-advertise-peer-urls"), help: "List of this member's peer URLs to advertise to the rest of the cluster.")
    var initialAdvertisePeerURLs = "http://localhost:2380"

    @Flag(name: .customLong("skip-hash-check"), help: "Ignore snapshot integrity hash value (required if copied from data directory).")
    var skipHashCheck = false

    @Option(name: .customLong("bump-revision"), help: "How much to increase the latest revision after restore.")
    var bumpRevision: UInt64 = 0

    @Flag(name: .customLong("mark-compacted"), help: "Mark the latest revision after restore as the point of scheduled compaction.")
    var markCompacted = false

    @Option(name: .customLong("member"), help: "NAME=DATA_DIR of a member to restore (repeatable); peer URLs from --initial-cluster.")
    var members: [String] = []

    @Option(name: .customLong("cluster-from"), help: "A YAML file naming every member to restore (see the discussion above).")
    var clusterFrom: String?

    func validate() throws {
        for member in self.members where !member.contains("=") { throw ValidationError("--member takes NAME=DATA_DIR, not \(member)") }
        if self.clusterFrom != nil && !self.members.isEmpty { throw ValidationError("give --cluster-from or --member, not both") }
    }

    mutating func execute() async throws {
        let logger = Logger(label: "etcd-ops") { _ in StreamLogHandler.standardError(label: "etcd-ops") }
        for configuration in try await self.configurations() {
            let outcome = try await Failure.reporting { () throws(OpsError) in try BackupRestore.run(configuration, logger: logger) }
            Output.line(
                "Restored \(self.file) into \(configuration.resolvedDataDirectory) (member \(String(outcome.memberID, radix: 16)), "
                    + "cluster \(String(outcome.clusterID, radix: 16)), revision \(outcome.revision))"
            )
        }
    }

    /// One restore per member: the flags as given, or one per `--member`.
    private func configurations() async throws -> [RestoreConfiguration] {
        var base = RestoreConfiguration(snapshotPath: self.file)
        base.walDirectory = self.walDir
        base.initialCluster = self.initialCluster
        base.initialClusterToken = self.initialClusterToken
        base.skipHashCheck = self.skipHashCheck
        base.bumpRevision = self.bumpRevision
        base.markCompacted = self.markCompacted
        if let file = self.clusterFrom {
            guard let data = FileManager.default.contents(atPath: file) else {
                Failure.print("cannot read \(file)")
                throw ExitCode(OpsError.Kind.usage.rawValue)
            }
            let plan = try await Failure.reporting { () throws(OpsError) in try RestorePlan(yaml: String(decoding: data, as: UTF8.self)) }
            return plan.configurations(from: base)
        }
        guard !self.members.isEmpty else {
            base.name = self.name
            base.dataDirectory = self.dataDir
            base.initialAdvertisePeerURLs = self.initialAdvertisePeerURLs
            return [base]
        }
        let peers = Dictionary(grouping: self.initialCluster.split(separator: ",").compactMap { entry -> (String, String)? in
            let parts = entry.split(separator: "=", maxSplits: 1)
            return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
        }, by: \.0).mapValues { $0.map(\.1).joined(separator: ",") }
        return try self.members.map { member in
            let parts = member.split(separator: "=", maxSplits: 1).map(String.init)
            guard let urls = peers[parts[0]] else {
                Failure.print("--member \(parts[0]) is not in --initial-cluster")
                throw ExitCode(OpsError.Kind.usage.rawValue)
            }
            var configuration = base
            configuration.name = parts[0]
            configuration.dataDirectory = parts[1]
            configuration.initialAdvertisePeerURLs = urls
            return configuration
        }
    }
}
