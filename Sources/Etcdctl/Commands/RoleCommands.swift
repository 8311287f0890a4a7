import EtcdClient
import EtcdProto

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
