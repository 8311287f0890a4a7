import EtcdClient
import EtcdProto
import GoFormat

/// lease grant, revoke, timetolive, list and keep-alive.
enum LeaseCommands {
    static let lease = Command(
        "lease <subcommand>", "Lease related commands",
        subcommands: [grant, revoke, timeToLive, list, keepAlive]
    )

    /// A lease id argument (hexadecimal), or etcdctl's refusal.
    static func leaseID(_ text: String) throws(CommandError) -> Int64 {
        guard let id = Int64(text, radix: 16) else {
            throw CommandError(.badArgs, "bad lease ID arg (strconv.ParseInt: parsing \(GoQuote.quote(text)): invalid syntax), expecting ID in Hex")
        }
        return id
    }

    static let grant = Command("grant <ttl>", "Creates leases") { invocation in
        guard invocation.arguments.count == 1 else { throw CommandError(.badArgs, "lease grant command needs TTL argument") }
        guard let ttl = Int64(invocation.arguments[0]) else {
            throw CommandError(.badArgs, "bad TTL (strconv.ParseInt: parsing \(GoQuote.quote(invocation.arguments[0])): invalid syntax)")
        }
        let client = try await invocation.client()
        defer { Task { await client.close() } }
        do {
            let response = try await client.grantLease(ttl: ttl, timeout: invocation.commandTimeout)
            try invocation.printer.grant(response)
        } catch let error as EtcdError {
            throw CommandError(.error, "failed to grant lease (\(error.message))")
        }
    }

    static let revoke = Command("revoke <leaseID>", "Revokes leases") { invocation in
        guard invocation.arguments.count == 1 else { throw CommandError(.badArgs, "lease revoke command needs 1 argument") }
        let id = try leaseID(invocation.arguments[0])
        let client = try await invocation.client()
        defer { Task { await client.close() } }
        do {
            try invocation.printer.revoke(id, try await client.revokeLease(id, timeout: invocation.commandTimeout))
        } catch let error as EtcdError {
            throw CommandError(.error, "failed to revoke lease (\(error.message))")
        }
    }

    static let timeToLive = Command(
        "timetolive <leaseID> [options]", "Get lease information",
        flags: [Flag("keys", .bool, "false", "Get keys attached to this lease")]
    ) { invocation in
        guard invocation.arguments.count == 1 else { throw CommandError(.badArgs, "lease timetolive command needs lease ID as argument") }
        let id = try leaseID(invocation.arguments[0])
        let keys = invocation.bool("keys")
        let client = try await invocation.client()
        defer { Task { await client.close() } }
        do {
            let response = try await client.leaseTimeToLive(id, keys: keys)
            try invocation.printer.timeToLive(response, keys: keys)
        } catch let error as EtcdError {
            throw CommandError(.badConnection, error.message)
        }
    }

    static let list = Command("list", "List all active leases") { invocation in
        let client = try await invocation.client()
        defer { Task { await client.close() } }
        do {
            let response = try await client.leases()
            try invocation.printer.leases(response)
        } catch let error as EtcdError {
            throw CommandError(.badConnection, error.message)
        }
    }

    static let keepAlive = Command(
        "keep-alive [options] <leaseID>", "Keeps leases alive (renew)",
        flags: [Flag("once", .bool, "false", "Resets the keep-alive time to its original value and cobrautl.Exits immediately")]
    ) { invocation in
        guard invocation.arguments.count == 1 else { throw CommandError(.badArgs, "lease keep-alive command needs lease ID as argument") }
        let id = try leaseID(invocation.arguments[0])
        let client = try await invocation.client()
        defer { Task { await client.close() } }
        if invocation.bool("once") {
            do {
                let response = try await client.keepAliveOnce(id)
                guard response.ttl > 0 else { throw CommandError(.badConnection, EtcdError.leaseExpired.message) }
                try invocation.printer.keepAlive(response)
            } catch let error as EtcdError {
                throw CommandError(.badConnection, error.message)
            }
            return
        }
        do {
            for try await response in client.keepAlive(id) { try invocation.printer.keepAlive(response) }
        } catch let error as CommandError {
            throw error
        } catch {
            // The lease ended (expired or revoked): etcdctl says so below.
        }
        if invocation.printer.format == .simple {
            invocation.console.out("lease \(Printer.hex16(id)) expired or revoked.\n")
        }
    }
}
