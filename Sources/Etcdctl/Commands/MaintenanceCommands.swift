import EtcdClient
import EtcdProto
import Foundation
import GoFormat

/// alarm, defrag, move-leader, snapshot save and version.
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

    static let snapshot = Command(
        "snapshot <subcommand>", "Manages etcd node snapshots",
        subcommands: [
            Command("save <filename>", "Stores an etcd node backend snapshot to a given file") { invocation in
                guard invocation.arguments.count == 1 else { throw CommandError(.badArgs, "snapshot save expects one argument") }
                try await save(to: invocation.arguments[0], invocation)
            },
        ]
    )

    /// Streams one member's snapshot into `path` (through `path.part`, synced, then renamed), as
    /// clientv3's `snapshot.Save` does; with `--command-timeout` given, it is the deadline.
    private static func save(to path: String, _ invocation: Invocation) async throws(CommandError) {
        guard invocation.endpoints.count == 1 else {
            throw CommandError(.interrupted, "snapshot must be requested to one selected node, not multiple [\(invocation.endpoints.joined(separator: " "))]")
        }
        let client = try invocation.client()
        defer { Task { await client.close() } }
        let partial = path + ".part"
        unlink(partial)
        let descriptor = open(partial, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else {
            throw CommandError(.interrupted, "could not open \(partial) (\(String(cString: strerror(errno))))")
        }
        var closed = false
        defer { if !closed { close(descriptor) } }
        let timeout = invocation.isGiven("command-timeout") ? invocation.commandTimeout : nil
        let deadline = timeout.map { ContinuousClock.now + $0 }
        do {
            for try await chunk in client.snapshot() {
                if let deadline, ContinuousClock.now > deadline { throw EtcdError.contextDeadlineExceeded }
                try Self.write(chunk.bytes, to: descriptor)
            }
            guard fsync(descriptor) == 0 else { throw EtcdError(.internalError, "fsync \(partial): \(String(cString: strerror(errno)))") }
            close(descriptor)
            closed = true
            guard rename(partial, path) == 0 else {
                throw EtcdError(.internalError, "could not rename \(partial) to \(path) (\(String(cString: strerror(errno))))")
            }
        } catch {
            unlink(partial)
            throw CommandError(.interrupted, "\(error)")
        }
        invocation.console.out("Snapshot saved at \(path)\n")
    }

    private static func write(_ bytes: [UInt8], to descriptor: Int32) throws(EtcdError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, bytes.count - offset) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw EtcdError(.internalError, "write: \(String(cString: strerror(errno)))") }
            offset += written
        }
    }
}
