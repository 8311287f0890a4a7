import EtcdClient
import EtcdProto
import Foundation
import GoFormat

/// watch: events of a key, a range or a prefix as they happen, optionally running a command for each
/// (`-- command args`), or watches read from standard input (`-i`).
enum WatchCommand {
    static let watch = Command(
        "watch [options] [key or prefix] [range_end] [--] [exec-command arg1 arg2 ...]", "Watches events stream on keys or prefixes",
        flags: [
            Flag("interactive", .bool, "false", "Interactive mode", shorthand: "i"),
            Flag("prefix", .bool, "false", "Watch on a prefix if prefix is set"),
            Flag("rev", .int64, "0", "Revision to start watching"),
            Flag("prev-kv", .bool, "false", "get the previous key-value pair before the event happens"),
            Flag("progress-notify", .bool, "false", "get periodic watch progress notification from server"),
        ]
    ) { invocation in
        let environment = ProcessInfo.processInfo.environment
        let envKey = environment["ETCDCTL_WATCH_KEY"] ?? ""
        let envRange = environment["ETCDCTL_WATCH_RANGE_END"] ?? ""
        if envKey.isEmpty && !envRange.isEmpty {
            throw CommandError(.badArgs, "ETCDCTL_WATCH_KEY is empty but got ETCDCTL_WATCH_RANGE_END=\(GoQuote.quote(envRange))")
        }
        let client = try await invocation.client()
        if invocation.bool("interactive") {
            try await interactive(invocation, client: client, envKey: envKey, envRange: envRange)
            return
        }
        var watchArguments = invocation.arguments
        var exec: [String] = []
        if let separator = invocation.beforeSeparator {
            guard separator < invocation.arguments.count else {
                throw CommandError(.badArgs, "bad number of arguments (found separator --, but no commands)")
            }
            watchArguments = Array(invocation.arguments[..<separator])
            exec = Array(invocation.arguments[separator...])
        }
        if !envKey.isEmpty {
            if !watchArguments.isEmpty { throw CommandError(.badArgs, "bad number of arguments (found conflicting environment key)") }
            watchArguments = envRange.isEmpty ? [envKey] : [envKey, envRange]
        }
        guard !watchArguments.isEmpty else { throw CommandError(.badArgs, "bad number of arguments") }
        let (key, options) = try watchRequest(watchArguments, invocation)
        try await relay(client.watch(key, options: options), invocation: invocation, exec: exec)
        await client.close()
        throw CommandError(.interrupted, "watch is canceled by the server")
    }

    /// The key and options of `watch`'s arguments and flags.
    static func watchRequest(_ arguments: [String], _ invocation: Invocation) throws(CommandError) -> ([UInt8], WatchOptions) {
        var options = WatchOptions()
        options.startRevision = invocation.int64("rev")
        let key = Array(arguments[0].utf8)
        if arguments.count == 2 {
            if invocation.bool("prefix") { throw CommandError(.badArgs, "`range_end` and `--prefix` are mutually exclusive") }
            options.rangeEnd = Array(arguments[1].utf8)
        }
        if invocation.bool("prefix") { options.rangeEnd = key.isEmpty ? [0] : RangeRequests.prefixEnd(of: key) }
        options.previousValues = invocation.bool("prev-kv")
        options.progressNotify = invocation.bool("progress-notify")
        return (key, options)
    }

    /// Prints each answer of a watch (and runs the exec command per event) until it ends.
    static func relay(
        _ responses: AsyncThrowingStream<Etcdserverpb_WatchResponse, any Error>,
        invocation: Invocation,
        exec: [String]
    ) async throws(CommandError) {
        do {
            for try await response in responses {
                if response.events.isEmpty && !response.created && !response.canceled {
                    invocation.console.out("progress notify: \(response.header.revision)\n")
                }
                try invocation.printer.watch(response)
                guard !exec.isEmpty else { continue }
                for event in response.events { try run(exec, for: event, revision: response.header.revision) }
            }
        } catch let error as CommandError {
            throw error
        } catch {
            invocation.console.error("watch was canceled (\(error))\n")
        }
    }

    /// Runs the exec command with the event in `ETCD_WATCH_*` variables; a failure ends etcdctl with 1.
    private static func run(_ command: [String], for event: Mvccpb_Event, revision: Int64) throws(CommandError) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        var environment = ProcessInfo.processInfo.environment
        environment["ETCD_WATCH_REVISION"] = "\(revision)"
        environment["ETCD_WATCH_EVENT_TYPE"] = GoQuote.quote(event.type == .put ? "PUT" : "DELETE")
        environment["ETCD_WATCH_KEY"] = GoQuote.quote(event.kv.key)
        environment["ETCD_WATCH_VALUE"] = GoQuote.quote(event.kv.value)
        process.environment = environment
        do {
            try process.run()
            process.waitUntilExit()
        } catch {
            throw CommandError(.error, "command \(command) error (\(error))")
        }
        if process.terminationStatus != 0 {
            throw CommandError(.error, "command \(command) error (exit status \(process.terminationStatus))")
        }
    }

    /// `watch -i`: lines `watch [options] key [range_end]` start watches, `progress` asks for progress.
    private static func interactive(_ invocation: Invocation, client: EtcdClient, envKey: String, envRange: String) async throws(CommandError) {
        while let line = readLine(strippingNewline: true) {
            let words = TxnCommand.argify(line)
            guard let first = words.first else {
                invocation.console.error("Invalid command: \(line) (watch and progress supported)\n")
                continue
            }
            switch first {
            case "watch":
                let parser = CommandLineParser(root: Command("watch", "", flags: watch.flags), globalFlags: [])
                guard let parsed = try? parser.parse(Array(words.dropFirst())) else {
                    invocation.console.error("Invalid command \(line) (bad flags)\n")
                    continue
                }
                var arguments = parsed.positional
                if !envKey.isEmpty { arguments = (envRange.isEmpty ? [envKey] : [envKey, envRange]) + arguments }
                guard !arguments.isEmpty else {
                    invocation.console.error("Invalid command \(line) (command type or key is not provided)\n")
                    continue
                }
                let local = Invocation(
                    path: invocation.path, arguments: arguments, beforeSeparator: nil,
                    values: invocation.values.merging(parsed.values) { $1 }, given: invocation.given,
                    defaults: invocation.defaults, console: invocation.console, printer: invocation.printer
                )
                let (key, options) = try watchRequest(Array(arguments.prefix(2)), local)
                let responses = client.watch(key, options: options)
                Task {
                    do throws(CommandError) {
                        try await relay(responses, invocation: local, exec: [])
                    } catch {
                        // Go's printer exits etcdctl when it cannot print an event; so does this one.
                        local.console.error("Error: \(error.message)\n")
                        exit(error.status)
                    }
                }
            case "progress":
                client.requestWatchProgress()
            default:
                invocation.console.error("Invalid command \(line) (only support watch)\n")
            }
        }
        throw CommandError(.invalidInput, "error reading watch request line: EOF")
    }
}
