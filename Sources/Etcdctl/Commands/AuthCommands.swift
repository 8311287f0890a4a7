import EtcdClient
import EtcdProto

/// auth enable, disable and status, as Go etcdctl 3.5 has them.
enum AuthCommands {
    static let auth = Command("auth <enable or disable>", "Enable or disable authentication", subcommands: [enable, disable, status])

    /// Enables auth; when etcd answers that user `root` lacks role `root`, adds the role, grants it and
    /// tries again, as Go etcdctl does.
    static let enable = Command("enable", "Enables authentication") { invocation in
        guard invocation.arguments.isEmpty else { throw CommandError(.badArgs, "auth enable command does not accept any arguments") }
        let client = try invocation.client()
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
        let client = try invocation.client()
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
        let client = try invocation.client()
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

/// role add, delete, get, list, grant-permission and revoke-permission.
enum RoleCommands {
    static let role = Command(
        "role <subcommand>", "Role related commands",
        subcommands: [add, delete, get, list, grantPermission, revokePermission]
    )

    static let add = Command("add <role name>", "Adds a new role") { invocation in
        guard invocation.arguments.count == 1 else { throw CommandError(.badArgs, "role add command requires role name as its argument") }
        let name = invocation.arguments[0]
        let response = try await invocation.run { client in try await client.roleAdd(name, timeout: invocation.commandTimeout) }
        try invocation.printer.authChanged("Role \(name) created", header: response.header, response: response)
    }

    static let delete = Command("delete <role name>", "Deletes a role") { invocation in
        guard invocation.arguments.count == 1 else { throw CommandError(.badArgs, "role delete command requires role name as its argument") }
        let name = invocation.arguments[0]
        let response = try await invocation.run { client in try await client.roleDelete(name, timeout: invocation.commandTimeout) }
        try invocation.printer.authChanged("Role \(name) deleted", header: response.header, response: response)
    }

    static let get = Command("get <role name>", "Gets detailed information of a role") { invocation in
        guard invocation.arguments.count == 1 else { throw CommandError(.badArgs, "role get command requires role name as its argument") }
        let name = invocation.arguments[0]
        let response = try await invocation.run { client in try await client.roleGet(name, timeout: invocation.commandTimeout) }
        try invocation.printer.roleGet(name, response)
    }

    static let list = Command("list", "Lists all roles") { invocation in
        guard invocation.arguments.isEmpty else { throw CommandError(.badArgs, "role list command requires no arguments") }
        let response = try await invocation.run { client in try await client.roleList(timeout: invocation.commandTimeout) }
        try invocation.printer.roleList(response)
    }

    static let grantPermission = Command(
        "grant-permission [options] <role name> <permission type> <key> [endkey]", "Grants a key to a role",
        flags: [
            Flag("prefix", .bool, "false", "grant a prefix permission"),
            Flag("from-key", .bool, "false", "grant a permission of keys that are greater than or equal to the given key using byte compare"),
        ]
    ) { invocation in
        let arguments = invocation.arguments
        guard arguments.count >= 3 else {
            throw CommandError(.badArgs, "role grant command requires role name, permission type, and key [endkey] as its argument")
        }
        let type: Authpb_Permission.TypeEnum
        switch arguments[1].uppercased() {
        case "READ": type = .read
        case "WRITE": type = .write
        case "READWRITE": type = .readwrite
        default: throw CommandError(.badArgs, "invalid permission type: \(arguments[1])")
        }
        let (key, end) = try Self.permissionRange(Array(arguments[2...]), invocation)
        let response = try await invocation.run { client in
            try await client.roleGrantPermission(arguments[0], key: key, rangeEnd: end, type: type, timeout: invocation.commandTimeout)
        }
        try invocation.printer.authChanged("Role \(arguments[0]) updated", header: response.header, response: response)
    }

    static let revokePermission = Command(
        "revoke-permission <role name> <key> [endkey]", "Revokes a key from a role",
        flags: [
            Flag("prefix", .bool, "false", "revoke a prefix permission"),
            Flag("from-key", .bool, "false", "revoke a permission of keys that are greater than or equal to the given key using byte compare"),
        ]
    ) { invocation in
        let arguments = invocation.arguments
        guard arguments.count >= 2 else {
            throw CommandError(.badArgs, "role revoke-permission command requires role name and key [endkey] as its argument")
        }
        let (key, end) = try Self.permissionRange(Array(arguments[1...]), invocation)
        let response = try await invocation.run { client in
            try await client.roleRevokePermission(arguments[0], key: key, rangeEnd: end, timeout: invocation.commandTimeout)
        }
        let typedKey = arguments[1]
        let endText = String(decoding: end, as: UTF8.self)
        let line = end.isEmpty ? "Permission of key \(typedKey) is revoked from role \(arguments[0])"
            : end == [0] ? "Permission of range [\(typedKey), <open ended> is revoked from role \(arguments[0])"
            : "Permission of range [\(typedKey), \(endText)) is revoked from role \(arguments[0])"
        try invocation.printer.authChanged(line, header: response.header, response: response)
    }

    /// etcdctl's key and range end of a permission: one key, `[key, endkey)`, `--prefix` (the key's prefix
    /// end), `--from-key` (`[0]`); an empty key means `[0]` (with either flag: every key).
    static func permissionRange(_ arguments: [String], _ invocation: Invocation) throws(CommandError) -> ([UInt8], [UInt8]) {
        let (prefix, fromKey) = (invocation.bool("prefix"), invocation.bool("from-key"))
        let key = Array(arguments[0].utf8)
        if key.isEmpty {
            if prefix && fromKey { throw CommandError(.badArgs, "--from-key and --prefix flags are mutually exclusive") }
            return ([0], prefix || fromKey ? [0] : [])
        }
        if arguments.count == 1 {
            if prefix {
                if fromKey { throw CommandError(.badArgs, "--from-key and --prefix flags are mutually exclusive") }
                return (key, RangeRequests.prefixEnd(of: key))
            }
            return (key, fromKey ? [0] : [])
        }
        if prefix { throw CommandError(.badArgs, "unexpected endkey argument with --prefix flag") }
        if fromKey { throw CommandError(.badArgs, "unexpected endkey argument with --from-key flag") }
        return (key, Array(arguments[1].utf8))
    }
}
