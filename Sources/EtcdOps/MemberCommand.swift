import ArgumentParser
import Foundation
import GoFormat
import Operations

/// `etcd-ops member`: membership operations.
struct MemberCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "member",
        abstract: "Membership operations: replace a member safely.",
        discussion: "Example:\n  etcd-ops member replace --old infra1 --new-name infra4 \\\n    --new-peer-url http://10.0.0.4:2380",
        subcommands: [MemberReplaceCommand.self]
    )
}

/// `etcd-ops member replace`: one member replaced by a new one, as a single resumable command.
struct MemberReplaceCommand: OpsCommand {
    static let configuration = CommandConfiguration(
        commandName: "replace",
        abstract: "Replace one member by a new one: add it as a learner, promote it, remove the old one.",
        discussion: """
            Checks first that every other member is healthy, there is no learner and no alarm, and quorum \
            holds without the old member; with --backup-dir it takes a backup before the first change. An \
            unreachable old member is removed first (etcd's advice); a healthy one hands leadership over if it \
            has it and is removed last. The new member is added as a learner and its ETCD_* environment is \
            printed (and written to --env-file): start it with that environment and an empty data directory. \
            Once it has started and caught up it is promoted, the old member is removed and the cluster's \
            health is checked. One change at a time; progress is kept in --journal, so after an interruption \
            the same command finds where the replacement stands and finishes it.

            Example:
              etcd-ops member replace --endpoints=10.0.0.1:2379 --old infra2 \\
                --new-name infra4 --new-peer-url http://10.0.0.4:2380 \\
                --env-file /etc/default/etcd-infra4
            """
    )

    static let environmentFlags: [(name: String, isSwitch: Bool)] = [
        ("old", false), ("new-name", false), ("new-peer-url", false), ("new-client-url", false), ("env-file", false),
        ("journal", false), ("backup-dir", false), ("wait-timeout", false),
    ]

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "The member to replace: its name or its id in hex.")
    var old: String

    @Option(name: .customLong("new-name"), help: "The new member's name.")
    var newName: String

    @Option(name: .customLong("new-peer-url"), help: "The new member's peer URL.")
    var newPeerURL: String

    @Option(name: .customLong("new-client-url"), help: "The new member's client URL, for its printed environment.")
    var newClientURL: String?

    @Option(name: .customLong("env-file"), help: "Also write the new member's ETCD_* environment to this file.")
    var envFile: String?

    @Option(help: "Where the replacement keeps its progress between runs.")
    var journal = "etcd-ops-member-replace.json"

    @Option(name: .customLong("backup-dir"), help: "Take a backup into this directory before the first change.")
    var backupDir: String?

    @Option(name: .customLong("wait-timeout"), help: "How long to wait for the new member to start and catch up.")
    var waitTimeout = "10m"

    func validate() throws {
        guard !self.newName.isEmpty else { throw ValidationError("--new-name must not be empty") }
        for (flag, url) in [("new-peer-url", self.newPeerURL), ("new-client-url", self.newClientURL ?? "http://x")] {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
                throw ValidationError("--\(flag) \(url) is not an http or https URL")
            }
        }
        guard let timeout = GoParse.duration(self.waitTimeout), timeout > .zero else {
            throw ValidationError("invalid --wait-timeout \(self.waitTimeout): not a duration (e.g. 10m)")
        }
    }

    mutating func execute() async throws {
        let request = ReplacementRequest(old: self.old, newName: self.newName, newPeerURL: self.newPeerURL, newClientURL: self.newClientURL)
        var options = ReplacementOptions(journalPath: self.journal)
        options.environmentFile = self.envFile
        options.backupDirectory = self.backupDir
        options.waitTimeout = GoParse.duration(self.waitTimeout) ?? .seconds(600)
        try await Failure.reporting { () throws(OpsError) in
            try await MemberReplace.run(request, settings: try self.connection.settings(), options: options) { Output.line($0) }
        }
    }
}
