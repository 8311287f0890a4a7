import EtcdClient
import EtcdProto
import Foundation
import GoFormat

/// check perf and check datascale: write a workload model's keys under a prefix and judge the cluster by
/// the latencies (perf) or by the growth of the first member's resident memory (datascale), as etcdctl does.
enum CheckCommands {
    static let check = Command(
        "check <subcommand>", "commands for checking properties of the etcd cluster",
        subcommands: [perf, datascale]
    )

    static let perf = Command(
        "perf [options]", "Check the performance of the etcd cluster",
        flags: flags(
            load: "The performance check's workload model. Accepted workloads: s(small), m(medium), l(large), xl(xLarge)",
            prefix: "/etcdctl-check-perf/", "The prefix for writing the performance check's keys."
        )
    ) { invocation in
        let model = try CheckWorkload.named(invocation.string("load"), in: CheckWorkload.perf)
        let prefix = invocation.string("prefix")
        var clients: [EtcdClient] = []
        for _ in 0..<model.clients {
            let client = try await invocation.client(timed: false)
            clients.append(client)
        }
        try await Self.requireEmpty(prefix, clients[0], invocation, quotedCommand: true)
        let bar = ProgressBar(total: model.seconds, console: invocation.console)
        let ticker = Task {
            for _ in 0..<model.seconds {
                do {
                    try await Task.sleep(for: .seconds(1))
                } catch {
                    break
                }
                bar.increment()
            }
            bar.finish()
        }
        let pacer = RequestPacer(perSecond: model.limit, for: .seconds(model.seconds))
        let interrupt = Interrupt()
        let stopper = Task {
            await interrupt.untilSignal()
            guard !Task.isCancelled else { return }
            await pacer.stop()
            ticker.cancel()
        }
        let report = LatencyReport()
        let load = CheckLoad(clients: clients, prefix: prefix, keySize: 256, valueSize: 1024)
        await load.run(pacer: pacer, report: report) {}
        let summary = report.summary()
        stopper.cancel()
        await ticker.value
        await Self.cleanUp(prefix, clients[0], invocation)
        try await Self.defragmentIfAsked(invocation)
        try Self.judge(summary, limit: model.limit, console: invocation.console)
    }

    static let datascale = Command(
        "datascale [options]", "Check the memory usage of holding data for different workloads on a given server endpoint.",
        long: "If no endpoint is provided, localhost will be used. If multiple endpoints are provided, first endpoint will be used.",
        flags: flags(
            load: "The datascale check's workload model. Accepted workloads: s(small), m(medium), l(large), xl(xLarge)",
            prefix: "/etcdctl-check-datascale/", "The prefix for writing the datascale check's keys."
        )
    ) { invocation in
        let model = try CheckWorkload.named(invocation.string("load"), in: CheckWorkload.datascale)
        let prefix = invocation.string("prefix")
        var clients: [EtcdClient] = []
        for _ in 0..<model.clients {
            let client = try await invocation.client(timed: false)
            clients.append(client)
        }
        let console = invocation.console
        try await Self.requireEmpty(prefix, clients[0], invocation, quotedCommand: false)
        guard let before = ResidentMemory.read(endpoint: invocation.endpoints[0], tls: clients[0].configuration.tls, console: console) else {
            console.line("FAIL: Could not read \(ResidentMemory.metricName) before the put operations.")
            throw CommandError(.error, "")
        }
        console.line(
            "Start data scale check for work load [\(model.limit) key-value pairs, 1024 bytes per key-value, \(model.clients) concurrent clients]."
        )
        let bar = ProgressBar(total: model.limit, console: console)
        let report = LatencyReport()
        let load = CheckLoad(clients: clients, prefix: prefix, keySize: 512, valueSize: 512)
        await load.run(pacer: RequestPacer(count: model.limit), report: report) { bar.increment() }
        bar.finish()
        let summary = report.summary()
        guard let after = ResidentMemory.read(endpoint: invocation.endpoints[0], tls: clients[0].configuration.tls, console: console) else {
            console.line("FAIL: Could not read \(ResidentMemory.metricName) after the put operations.")
            throw CommandError(.error, "")
        }
        let deleted = try await invocation.run { _ in try await clients[0].deleteRange(Self.deletion(under: prefix)) }
        if invocation.bool("auto-compact") { try await Self.compact(deleted.header.revision, clients[0], invocation) }
        try await Self.defragmentIfAsked(invocation)
        guard summary.errors.isEmpty else {
            Self.printErrors(summary, console: console)
            throw CommandError(.error, "")
        }
        let megabytes = (after - before) / (1024 * 1024)
        console.line("PASS: Approximate system memory used : \(String(format: "%.2f", megabytes)) MB.")
    }

    /// A delete of every key under `prefix` (clientv3's `WithPrefix`).
    private static func deletion(under prefix: String) -> Etcdserverpb_DeleteRangeRequest {
        let range = RangeRequests.prefix(Array(prefix.utf8))
        var delete = Etcdserverpb_DeleteRangeRequest()
        delete.key = range.key
        delete.rangeEnd = range.rangeEnd
        return delete
    }

    private static func flags(load: String, prefix: String, _ prefixUsage: String) -> [Flag] {
        [
            Flag("load", .string, "s", load),
            Flag("prefix", .string, prefix, prefixUsage),
            Flag("auto-compact", .bool, "false", "Compact storage with last revision after test is finished."),
            Flag("auto-defrag", .bool, "false", "Defragment storage after test is finished."),
        ]
    }

    /// Refuses to start when keys exist under `prefix` (they would be deleted at the end).
    private static func requireEmpty(_ prefix: String, _ client: EtcdClient, _ invocation: Invocation, quotedCommand: Bool) async throws {
        var request = RangeRequests.prefix(Array(prefix.utf8))
        request.limit = 1
        let existing = try await invocation.run { _ in try await client.range(request) }
        guard existing.kvs.isEmpty else {
            let command = quotedCommand ? "'etcdctl del --prefix \(prefix)'" : "etcdctl del --prefix \(prefix)"
            throw CommandError(.invalidInput, "prefix \(GoQuote.quote(prefix)) has keys. Delete with \(command) first")
        }
    }

    /// Deletes the check's keys (within 30 s), compacting to the deletion's revision with `--auto-compact`.
    private static func cleanUp(_ prefix: String, _ client: EtcdClient, _ invocation: Invocation) async {
        do {
            let deleted = try await client.deleteRange(Self.deletion(under: prefix), timeout: .seconds(30))
            if invocation.bool("auto-compact") { try await Self.compact(deleted.header.revision, client, invocation) }
        } catch let error as EtcdError {
            invocation.console.line("FAIL: Cleanup failed during key deletion: ERROR(\(error.message))")
        } catch {
            invocation.console.line("FAIL: Cleanup failed during key deletion: ERROR(\(CommandError(failure: error).message))")
        }
    }

    private static func compact(_ revision: Int64, _ client: EtcdClient, _ invocation: Invocation) async throws(CommandError) {
        invocation.console.line("Compacting with revision \(revision)")
        _ = try await invocation.run { _ in try await client.compact(revision: revision, physical: true, timeout: .seconds(30)) }
        invocation.console.line("Compacted with revision \(revision)")
    }

    private static func defragmentIfAsked(_ invocation: Invocation) async throws(CommandError) {
        guard invocation.bool("auto-defrag") else { return }
        for endpoint in invocation.endpoints {
            invocation.console.line("Defragmenting \(GoQuote.quote(endpoint))")
            _ = try await invocation.run(endpoints: [endpoint]) { client in try await client.defragment(timeout: .seconds(30)) }
            invocation.console.line("Defragmented \(GoQuote.quote(endpoint))")
        }
    }

    /// check perf's verdict: errors, throughput under 90 % of the model's rate, a request slower than 500 ms or
    /// a standard deviation over 100 ms fail it (exit 1).
    private static func judge(_ summary: LatencySummary, limit: Int, console: Console) throws(CommandError) {
        var passed = summary.errors.isEmpty
        Self.printErrors(summary, console: console)
        let throughput = Int(summary.requestsPerSecond) + 1
        if summary.requestsPerSecond / Double(limit) <= 0.9 {
            console.line("FAIL: Throughput too low: \(throughput) writes/s")
            passed = false
        } else {
            console.line("PASS: Throughput is \(throughput) writes/s")
        }
        if summary.slowest > 0.5 {
            console.line("Slowest request took too long: \(String(format: "%f", summary.slowest))s")
            passed = false
        } else {
            console.line("PASS: Slowest request took \(String(format: "%f", summary.slowest))s")
        }
        if summary.standardDeviation > 0.1 {
            console.line("Stddev too high: \(String(format: "%f", summary.standardDeviation))s")
            passed = false
        } else {
            console.line("PASS: Stddev is \(String(format: "%f", summary.standardDeviation))s")
        }
        console.line(passed ? "PASS" : "FAIL")
        if !passed { throw CommandError(.error, "") }
    }

    private static func printErrors(_ summary: LatencySummary, console: Console) {
        guard !summary.errors.isEmpty else { return }
        console.line("FAIL: too many errors")
        for (message, count) in summary.errors { console.line("FAIL: ERROR(\(message)) -> \(count)") }
    }
}
