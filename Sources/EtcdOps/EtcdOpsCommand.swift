import ArgumentParser
import EtcdProto

/// The `etcd-ops` command and its subcommands.
struct EtcdOpsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "etcd-ops",
        abstract: "Operations for etcd clusters: backups, verification, restore, status, health, rolling defragmentation and member replacement.",
        discussion: """
            Connection flags and their ETCDCTL_* variables are etcdctl's; every other flag can also be set as \
            ETCD_OPS_<FLAG> (for example ETCD_OPS_DIR for --dir). A flag on the command line wins.

            Exit codes: 0 success; 1 failed or unhealthy; 2 no endpoint reachable; 3 a backup or snapshot file \
            is damaged; 4 the output cannot be written; 5 another backup holds the directory's lock; 64 bad \
            usage.
            """,
        version: "etcd-ops version: \(EtcdVersion.server)\nAPI version: \(EtcdVersion.api)",
        subcommands: [
            BackupCommand.self, VerifyCommand.self, RestoreCommand.self, StatusCommand.self, HealthCommand.self,
            DefragCommand.self, MemberCommand.self, VersionCommand.self,
        ]
    )
}

/// `etcd-ops version`.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the version of etcd-ops and of the etcd API it speaks.",
        discussion: "Example:\n  etcd-ops version"
    )

    func run() {
        Output.line("etcd-ops version: \(EtcdVersion.server)\nAPI version: \(EtcdVersion.api)")
    }
}

/// A subcommand whose work is asynchronous; `main.swift` runs ``execute()`` (ArgumentParser's own async
/// dispatch picked the synchronous `run()` from an existential, which only prints help).
protocol OpsCommand: ParsableCommand {
    mutating func execute() async throws
}
