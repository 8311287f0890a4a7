import EtcdClient
import EtcdProto
import Foundation
import GoFormat

/// lock and elect: clientv3's concurrency recipes, held until SIGINT or SIGTERM.
enum RecipeCommands {
    static let lock = Command(
        "lock <lockname> [exec-command arg1 arg2 ...]", "Acquires a named lock",
        flags: [Flag("ttl", .int64, "10", "timeout for session")]
    ) { invocation in
        guard let name = invocation.arguments.first else {
            throw CommandError(.badArgs, "lock takes a lock name argument and an optional command to execute")
        }
        let command = Array(invocation.arguments.dropFirst())
        let client = try await invocation.client()
        do {
            let session = try await Session(client: client, ttl: invocation.int64("ttl"))
            let mutex = EtcdMutex(session: session, prefix: name)
            let interrupt = Interrupt()
            let header = try await interrupt.cancelling { try await mutex.lock() }
            if !command.isEmpty {
                let status = Self.run(command, environment: ["ETCD_LOCK_KEY": mutex.key, "ETCD_LOCK_REV": "\(header.revision)"])
                try await mutex.unlock()
                if status != 0 { throw CommandError(.error, "exit status \(status)") }
                return
            }
            let held = try await client.range(RangeRequests.key(Array(mutex.key.utf8)))
            guard !held.kvs.isEmpty else { throw CommandError(.error, "lock lost on init") }
            try invocation.printer.get(held)
            if await interrupt.untilSignalOr(session) {
                try await mutex.unlock()
            } else {
                throw CommandError(.error, "session expired")
            }
        } catch {
            throw CommandError(failure: error)
        }
    }

    static let elect = Command(
        "elect <election-name> [proposal]", "Observes and participates in leader election",
        flags: [Flag("listen", .bool, "false", "observation mode", shorthand: "l")]
    ) { invocation in
        let arguments = invocation.arguments
        guard arguments.count == 1 || arguments.count == 2 else {
            throw CommandError(.badArgs, "elect takes one election name argument and an optional proposal argument")
        }
        let client = try await invocation.client()
        do {
            if invocation.bool("listen") {
                let observer = Task {
                    for try await leader in Election.observe(prefix: arguments[0], client: client) {
                        var response = Etcdserverpb_RangeResponse()
                        response.kvs = [leader]
                        response.count = 1
                        try invocation.printer.get(response)
                    }
                }
                await Interrupt().untilSignal()
                observer.cancel()
                return
            }
            guard arguments.count == 2 else { throw CommandError(.badArgs, "no proposal argument but -l not set") }
            let session = try await Session(client: client)
            let election = Election(session: session, prefix: arguments[0])
            let interrupt = Interrupt()
            _ = try await interrupt.cancelling { try await election.campaign(arguments[1]) }
            let key = arguments[0] + "/" + String(session.lease, radix: 16)
            let held = try await client.range(RangeRequests.key(Array(key.utf8)))
            try invocation.printer.get(held)
            if await interrupt.untilSignalOr(session) {
                try await election.resign()
            } else {
                throw CommandError(.error, "elect: session expired")
            }
        } catch {
            throw CommandError(failure: error)
        }
    }

    /// Runs `command` with the extra variables, its output going to etcdctl's; returns its exit status.
    private static func run(_ command: [String], environment extra: [String: String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        process.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
        do {
            try process.run()
        } catch {
            return 127
        }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
