import EtcdClient
import EtcdProto

/// auth enable, disable and status, as Go etcdctl 3.5 has them.
enum AuthCommands {
    static let auth = Command("auth <enable or disable>", "Enable or disable authentication", subcommands: [enable, disable, status])

    /// Enables auth; when etcd answers that user `root` lacks role `root`, adds the role, grants it and
    /// tries again, as Go etcdctl does.
    static let enable = Command("enable", "Enables authentication") { invocation in
        guard invocation.arguments.isEmpty else { throw CommandError(.badArgs, "auth enable command does not accept any arguments") }
        let client = try await invocation.client()
        defer { Task { await client.close() } }
        do throws(EtcdError) {
            while true {
                do throws(EtcdError) {
                    _ = try await client.authEnable(timeout: invocation.commandTimeout)
                    break
                } catch where error == .rootRoleNotExist {
                    _ = try await client.roleAdd("root", timeout: invocation.commandTimeout)
                    _ = try await client.userGrantRole("root", role: "root", timeout: invocation.commandTimeout)
                }
            }
        } catch {
            throw CommandError(error)
        }
        invocation.console.out("Authentication Enabled\n")
    }

    static let disable = Command("disable", "Disables authentication") { invocation in
        guard invocation.arguments.isEmpty else { throw CommandError(.badArgs, "auth disable command does not accept any arguments") }
        let client = try await invocation.client()
        defer { Task { await client.close() } }
        do throws(EtcdError) {
            _ = try await client.authDisable(timeout: invocation.commandTimeout)
        } catch {
            throw CommandError(error)
        }
        invocation.console.out("Authentication Disabled\n")
    }

    static let status = Command("status", "Returns authentication status") { invocation in
        guard invocation.arguments.isEmpty else { throw CommandError(.badArgs, "auth status command does not accept any arguments") }
        let response = try await invocation.run { client in try await client.authStatus(timeout: invocation.commandTimeout) }
        try invocation.printer.authStatus(response)
    }
}
