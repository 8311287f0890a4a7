import EtcdClient
import EtcdProto
import Foundation
import GoFormat

/// endpoint health, status and hashkv, over `--endpoints` or the cluster's members (`--cluster`).
enum EndpointCommands {
    static let clusterFlag = Flag("cluster", .bool, "false", "use all endpoints from the cluster member list")

    static let endpoint = Command(
        "endpoint <subcommand>", "Endpoint related commands",
        flags: [clusterFlag],
        subcommands: [health, status, hashKV]
    )

    /// The endpoints a per-member command visits: `--endpoints`, or with `--cluster` every client URL of
    /// the member list.
    static func endpoints(_ invocation: Invocation) async throws(CommandError) -> [String] {
        guard invocation.bool("cluster") else { return invocation.endpoints }
        do {
            let members = try await invocation.run { client in try await client.memberList(linearizable: true, timeout: invocation.commandTimeout) }
            return members.members.flatMap { $0.clientUrls }
        } catch {
            throw CommandError(.error, "failed to fetch endpoints from etcd cluster member list: \(error.message)")
        }
    }

    static let health = Command(
        "health", "Checks the healthiness of endpoints specified in `--endpoints` flag",
        flags: [clusterFlag]
    ) { invocation in
        let checks = try await endpoints(invocation).map { endpoint in Task { await check(endpoint, invocation) } }
        var results: [EndpointHealth] = []
        for check in checks { results.append(await check.value) }
        try invocation.printer.endpointHealth(results)
        if results.contains(where: { !$0.error.isEmpty }) { throw CommandError(.error, "unhealthy cluster") }
    }

    /// etcdctl's check of one endpoint: a get of `health` (permission denied counts as healthy), then no
    /// raised alarm.
    private static func check(_ endpoint: String, _ invocation: Invocation) async -> EndpointHealth {
        let client: EtcdClient
        do {
            client = try await invocation.client(endpoints: [endpoint])
        } catch {
            return EndpointHealth(endpoint: endpoint, healthy: false, took: "", error: error.message)
        }
        defer { Task { await client.close() } }
        let started = ContinuousClock.now
        var failure = ""
        do {
            _ = try await client.get("health")
        } catch {
            if error != .permissionDenied { failure = error.message }
        }
        let took = (ContinuousClock.now - started).goString
        guard failure.isEmpty else { return EndpointHealth(endpoint: endpoint, healthy: false, took: took, error: failure) }
        do {
            let alarms = try await client.alarms().alarms
            if !alarms.isEmpty {
                let names = alarms.map { $0.alarm == .nospace ? "NOSPACE " : $0.alarm == .corrupt ? "CORRUPT " : "UNKNOWN " }.joined()
                return EndpointHealth(endpoint: endpoint, healthy: false, took: took, error: "Active Alarm(s): " + names)
            }
        } catch {
            return EndpointHealth(endpoint: endpoint, healthy: false, took: took, error: "Unable to fetch the alarm list")
        }
        return EndpointHealth(endpoint: endpoint, healthy: true, took: took, error: "")
    }

    static let status = Command(
        "status", "Prints out the status of endpoints specified in `--endpoints` flag",
        long: """
            When --write-out is set to simple, this command prints out comma-separated status lists for each endpoint.
            The items in the lists are endpoint, ID, version, db size, is leader, is learner, raft term, raft index, raft applied index, errors.

            """,
        flags: [clusterFlag]
    ) { invocation in
        var results: [(endpoint: String, status: Etcdserverpb_StatusResponse)] = []
        var failed = false
        for endpoint in try await endpoints(invocation) {
            do {
                results.append((endpoint, try await invocation.run(endpoints: [endpoint]) { client in try await client.status(timeout: invocation.commandTimeout) }))
            } catch {
                failed = true
                invocation.console.error("Failed to get the status of endpoint \(endpoint) (\(CommandError(failure: error).message))\n")
            }
        }
        try invocation.printer.endpointStatus(results)
        if failed { throw CommandError(.error, "") }
    }

    static let hashKV = Command(
        "hashkv", "Prints the KV history hash for each endpoint in --endpoints",
        flags: [clusterFlag, Flag("rev", .int64, "0", "maximum revision to hash (default: all revisions)")]
    ) { invocation in
        var results: [(endpoint: String, hash: Etcdserverpb_HashKVResponse)] = []
        var failure: CommandError?
        let revision = invocation.int64("rev")
        for endpoint in try await endpoints(invocation) {
            do {
                results.append((endpoint, try await invocation.run(endpoints: [endpoint]) { client in
                    try await client.hashKV(revision: revision, timeout: invocation.commandTimeout)
                }))
            } catch {
                let failed = CommandError(failure: error)
                failure = failed
                invocation.console.error("Failed to get the hash of endpoint \(endpoint) (\(failed.message))\n")
            }
        }
        try invocation.printer.endpointHashKV(results)
        if let failure { throw failure }
    }
}
