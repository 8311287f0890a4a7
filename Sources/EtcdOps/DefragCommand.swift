import ArgumentParser
import Foundation
import Operations

/// `etcd-ops defrag --rolling`: the members defragmented one at a time, followers first and the leader last.
struct DefragCommand: OpsCommand {
    static let configuration = CommandConfiguration(
        commandName: "defrag",
        abstract: "Defragment every member in turn, followers first and the leader last (--rolling).",
        discussion: """
            Checks that every member is healthy (a NOSPACE alarm aside) before it starts and that each member is \
            healthy again before the next; skips members whose free fraction is under --min-free. With \
            --disarm-nospace, a NOSPACE alarm is disarmed at the end once every member is under its quota.

            Example:
              etcd-ops defrag --rolling --endpoints=10.0.0.1:2379 --min-free 0.2 --disarm-nospace
            """
    )

    static let environmentFlags: [(name: String, isSwitch: Bool)] = [("rolling", true), ("min-free", false), ("disarm-nospace", true)]

    @OptionGroup var connection: ConnectionOptions

    @Flag(help: "Defragment one member at a time (required: defragmenting all at once stalls the cluster).")
    var rolling = false

    @Option(name: .customLong("min-free"), help: "Skip members with less than this fraction (0 to 1) of their database free.")
    var minFree = 0.0

    @Flag(name: .customLong("disarm-nospace"), help: "Disarm NOSPACE once every member is under its quota.")
    var disarmNospace = false

    func validate() throws {
        guard self.rolling else { throw ValidationError("only --rolling is supported (etcdctl defrag defragments all at once)") }
        guard (0...1).contains(self.minFree) else { throw ValidationError("--min-free must be between 0 and 1") }
    }

    mutating func execute() async throws {
        var options = RollingDefrag.Options()
        options.minimumFreeFraction = self.minFree
        options.disarmNoSpace = self.disarmNospace
        try await Failure.reporting { () throws(OpsError) in
            try await RollingDefrag.run(settings: try self.connection.settings(), options: options) { Output.line($0) }
        }
    }
}
