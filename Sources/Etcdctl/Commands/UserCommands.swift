import EtcdClient
import EtcdProto

/// user add, delete, get, list, passwd, grant-role and revoke-role.
enum UserCommands {
    static let user = Command(
        "user <subcommand>", "User related commands",
        subcommands: [add, delete, get, list, passwd, grantRole, revokeRole]
    )

    static let add = Command(
        "add <user name or user:password> [options]", "Adds a new user",
        flags: [
            Flag("interactive", .bool, "true", "Read password from stdin instead of interactive terminal"),
            Flag("new-user-password", .string, "", "Supply password from the command line flag"),
            Flag("no-password", .bool, "false", "Create a user without password (CN based auth only)"),
        ]
    ) { invocation in
        guard invocation.arguments.count == 1 else { throw CommandError(.badArgs, "user add command requires user name as its argument") }
        let argument = invocation.arguments[0]
        var (user, password) = (argument, "")
        let noPassword = invocation.bool("no-password")
        if !noPassword {
            if !invocation.string("new-user-password").isEmpty {
                password = invocation.string("new-user-password")
            } else if let colon = argument.firstIndex(of: ":") {
                user = String(argument[..<colon])
                password = String(argument[argument.index(after: colon)...])
                guard !user.isEmpty else { throw CommandError(.badArgs, "empty user name is not allowed") }
            } else {
                password = invocation.bool("interactive") ? try PasswordPrompt.ask(for: argument, console: invocation.console) : PasswordPrompt.word()
            }
        }
        let response = try await invocation.run { client in
            try await client.userAdd(user, password: password, noPassword: noPassword, timeout: invocation.commandTimeout)
        }
        try invocation.printer.authChanged("User \(user) created", header: response.header, response: response)
    }

    static let delete = Command("delete <user name>", "Deletes a user") { invocation in
        guard invocation.arguments.count == 1 else { throw CommandError(.badArgs, "user delete command requires user name as its argument") }
        let name = invocation.arguments[0]
        let response = try await invocation.run { client in try await client.userDelete(name, timeout: invocation.commandTimeout) }
        try invocation.printer.authChanged("User \(name) deleted", header: response.header, response: response)
    }

    static let get = Command(
        "get <user name> [options]", "Gets detailed information of a user",
        flags: [Flag("detail", .bool, "false", "Show permissions of roles granted to the user")]
    ) { invocation in
        guard invocation.arguments.count == 1 else { throw CommandError(.badArgs, "user get command requires user name as its argument") }
        let name = invocation.arguments[0]
        let detail = invocation.bool("detail")
        let client = try await invocation.client()
        defer { Task { await client.close() } }
        let response: Etcdserverpb_AuthUserGetResponse
        do throws(EtcdError) {
            response = try await client.userGet(name, timeout: invocation.commandTimeout)
        } catch {
            throw CommandError(error)
        }
        guard detail else { return try invocation.printer.userGet(name, response) }
        invocation.console.out("User: \(name)\n")
        for role in response.roles {
            invocation.console.out("\n")
            let permissions: Etcdserverpb_AuthRoleGetResponse
            do throws(EtcdError) {
                permissions = try await client.roleGet(role, timeout: invocation.commandTimeout)
            } catch {
                throw CommandError(error)
            }
            try invocation.printer.roleGet(role, permissions)
        }
    }

    static let list = Command("list", "Lists all users") { invocation in
        guard invocation.arguments.isEmpty else { throw CommandError(.badArgs, "user list command requires no arguments") }
        let response = try await invocation.run { client in try await client.userList(timeout: invocation.commandTimeout) }
        try invocation.printer.userList(response)
    }

    static let passwd = Command(
        "passwd <user name> [options]", "Changes password of user",
        flags: [Flag("interactive", .bool, "true", "If true, read password from stdin instead of interactive terminal")]
    ) { invocation in
        guard invocation.arguments.count == 1 else { throw CommandError(.badArgs, "user passwd command requires user name as its argument") }
        let name = invocation.arguments[0]
        let password = invocation.bool("interactive") ? try PasswordPrompt.ask(for: name, console: invocation.console) : PasswordPrompt.word()
        let response = try await invocation.run { client in
            try await client.userChangePassword(name, password: password, timeout: invocation.commandTimeout)
        }
        try invocation.printer.authChanged("Password updated", header: response.header, response: response)
    }

    static let grantRole = Command("grant-role <user name> <role name>", "Grants a role to a user") { invocation in
        guard invocation.arguments.count == 2 else {
            throw CommandError(.badArgs, "user grant command requires user name and role name as its argument")
        }
        let (user, role) = (invocation.arguments[0], invocation.arguments[1])
        let response = try await invocation.run { client in try await client.userGrantRole(user, role: role, timeout: invocation.commandTimeout) }
        try invocation.printer.authChanged("Role \(role) is granted to user \(user)", header: response.header, response: response)
    }

    static let revokeRole = Command("revoke-role <user name> <role name>", "Revokes a role from a user") { invocation in
        guard invocation.arguments.count == 2 else {
            throw CommandError(.badArgs, "user revoke-role requires user name and role name as its argument")
        }
        let (user, role) = (invocation.arguments[0], invocation.arguments[1])
        let response = try await invocation.run { client in try await client.userRevokeRole(user, role: role, timeout: invocation.commandTimeout) }
        try invocation.printer.authChanged("Role \(role) is revoked from user \(user)", header: response.header, response: response)
    }
}
