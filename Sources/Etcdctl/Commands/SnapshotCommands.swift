import BoltFile
import EtcdClient
import Foundation
import Glibc
import GoFormat
import Logging
import Restore

/// snapshot save, status and restore. `save` streams a member's snapshot into a file as clientv3's
/// `snapshot.Save` does; `status` and `restore` are etcdutl's (etcdctl 3.5 forwards to them with a
/// deprecation note), `restore` building a data directory for our member.
enum SnapshotCommands {
    static let snapshot = Command(
        "snapshot <subcommand>", "Manages etcd node snapshots",
        subcommands: [save, status, restore]
    )

    static let save = Command("save <filename>", "Stores an etcd node backend snapshot to a given file") { invocation in
        guard invocation.arguments.count == 1 else { throw CommandError(.badArgs, "snapshot save expects one argument") }
        try await SnapshotSave.run(to: invocation.arguments[0], invocation)
    }

    static let status = Command(
        "status <filename>", "[deprecated] Gets backend snapshot status of a given file",
        long: """
            When --write-out is set to simple, this command prints out comma-separated status lists for each endpoint.
            The items in the lists are hash, revision, total keys, total size.

            Moved to 'etcdctl snapshot status ...'
            """
    ) { invocation in
        invocation.console.error("Deprecated: Use `etcdutl snapshot status` instead.\n\n")
        guard invocation.arguments.count == 1 else { throw CommandError(.badArgs, "snapshot status requires exactly one argument") }
        let path = invocation.arguments[0]
        guard FileManager.default.fileExists(atPath: path) else {
            throw CommandError(.error, "stat \(path): no such file or directory")
        }
        let result: SnapshotStatus
        do throws(BoltError) {
            result = try SnapshotStatus(path: path)
        } catch {
            throw CommandError(.error, Self.statusMessage(error))
        }
        try invocation.printer.snapshotStatus(result)
    }

    static let restore = Command(
        "restore <filename> [options]", "Restores an etcd member snapshot to an etcd directory",
        long: "Moved to `etcdctl snapshot restore ...`\n",
        flags: [
            Flag("data-dir", .string, "", "Path to the data directory"),
            Flag("wal-dir", .string, "", "Path to the WAL directory (use --data-dir if none given)"),
            Flag("initial-cluster", .string, "default=http://localhost:2380", "Initial cluster configuration for restore bootstrap"),
            Flag("initial-cluster-token", .string, "etcd-cluster", "Initial cluster token for the etcd cluster during restore bootstrap"),
            Flag(
                "initial-advertise-peer-urls", .string, "http://localhost:2380",
                "List of this member's peer URLs to advertise to the rest of the cluster"
            ),
            Flag("name", .string, "default", "Human-readable name for this member"),
            Flag("skip-hash-check", .bool, "false", "Ignore snapshot integrity hash value (required if copied from data directory)"),
            Flag("bump-revision", .uint64, "0", "How much to increase the latest revision after restore"),
            Flag(
                "mark-compacted", .bool, "false",
                "Mark the latest revision after restore as the point of scheduled compaction (required if --bump-revision > 0, disallowed otherwise)"
            ),
        ]
    ) { invocation in
        invocation.console.error("Deprecated: Use `etcdutl snapshot restore` instead.\n\n")
        guard invocation.arguments.count == 1 else { throw CommandError(.badArgs, "snapshot restore requires exactly one argument") }
        var configuration = RestoreConfiguration(snapshotPath: invocation.arguments[0])
        configuration.dataDirectory = invocation.string("data-dir")
        configuration.walDirectory = invocation.string("wal-dir")
        configuration.initialCluster = invocation.string("initial-cluster")
        configuration.initialClusterToken = invocation.string("initial-cluster-token")
        configuration.initialAdvertisePeerURLs = invocation.string("initial-advertise-peer-urls")
        configuration.name = invocation.string("name")
        configuration.skipHashCheck = invocation.bool("skip-hash-check")
        configuration.bumpRevision = GoParse.uint64(invocation.string("bump-revision")) ?? 0
        configuration.markCompacted = invocation.bool("mark-compacted")
        guard (configuration.bumpRevision == 0) == !configuration.markCompacted else {
            throw CommandError(.badArgs, "--mark-compacted required if --revision-bump > 0")
        }
        do {
            _ = try SnapshotRestore.run(configuration, logger: ConsoleLog.logger(invocation.console))
        } catch let error as BoltError {
            throw CommandError(.error, error.message)
        } catch {
            throw CommandError(.error, "\(error)")
        }
    }

    /// bbolt's words for a file it cannot open, then what was found; the integrity check's failure as
    /// etcdutl words it.
    private static func statusMessage(_ error: BoltError) -> String {
        switch error.code {
        case .badMagic: return "invalid database"
        case .badVersion: return "version mismatch"
        case .metaChecksum: return "checksum error"
        case .truncated, .io, .invalidMeta: return error.message
        default: return "snapshot file integrity check failed. 1 errors found.\n\(error.message)"
        }
    }
}
