import EtcdClient
import EtcdProto
import Foundation
import GoFormat

/// alarm, defrag, move-leader and version.
enum MaintenanceCommands {
    static let alarm = Command(
        "alarm <subcommand>", "Alarm related commands",
        subcommands: [
            Command("disarm", "Disarms all alarms") { invocation in
                guard invocation.arguments.isEmpty else { throw CommandError(.badArgs, "alarm disarm command accepts no arguments") }
                let response = try await invocation.run { client in try await client.disarm(timeout: invocation.commandTimeout) }
                try invocation.printer.alarms(response)
            },
            Command("list", "Lists all alarms") { invocation in
                guard invocation.arguments.isEmpty else { throw CommandError(.badArgs, "alarm list command accepts no arguments") }
                let response = try await invocation.run { client in try await client.alarms(timeout: invocation.commandTimeout) }
                try invocation.printer.alarms(response)
            },
        ]
    )

    static let defrag = Command(
        "defrag", "Defragments the storage of the etcd members with given endpoints",
        flags: [
            EndpointCommands.clusterFlag,
            Flag("data-dir", .string, "", "Optional. If present, defragments a data directory not in use by etcd."),
        ]
    ) { invocation in
        guard invocation.string("data-dir").isEmpty else {
            throw CommandError(.badFeature, "--data-dir is not supported by this etcdctl: defragment a stopped member's data with etcd-ops")
        }
        var failures = 0
        for endpoint in try await EndpointCommands.endpoints(invocation) {
            do {
                _ = try await invocation.run(endpoints: [endpoint]) { client in try await client.defragment(timeout: invocation.commandTimeout) }
                invocation.console.out("Finished defragmenting etcd member[\(endpoint)]\n")
            } catch {
                invocation.console.error("Failed to defragment etcd member[\(endpoint)] (\(CommandError(failure: error).message))\n")
                failures += 1
            }
        }
        if failures > 0 { throw CommandError(.error, "") }
    }

    static let moveLeader = Command("move-leader <transferee-member-id>", "Transfers leadership to another etcd cluster member.") { invocation in
        guard invocation.arguments.count == 1 else { throw CommandError(.badArgs, "move-leader command needs 1 argument") }
        guard let target = UInt64(invocation.arguments[0], radix: 16) else {
            throw CommandError(.badArgs, "strconv.ParseUint: parsing \(GoQuote.quote(invocation.arguments[0])): invalid syntax")
        }
        for endpoint in invocation.endpoints {
            let status = try await invocation.run(endpoints: [endpoint]) { client in try await client.status(timeout: invocation.commandTimeout) }
            guard status.header.memberID == status.leader else { continue }
            let response = try await invocation.run(endpoints: [endpoint]) { client in
                try await client.moveLeader(to: target, timeout: invocation.commandTimeout)
            }
            try invocation.printer.moveLeader(from: status.leader, to: target, response)
            return
        }
        throw CommandError(.badArgs, "no leader endpoint given at [\(invocation.endpoints.joined(separator: " "))]")
    }

    static let version = Command("version", "Prints the version of etcdctl") { invocation in
        invocation.console.out("etcdctl version: \(EtcdVersion.server)\nAPI version: \(EtcdVersion.api)\n")
    }
}
