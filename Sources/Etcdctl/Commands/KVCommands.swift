import EtcdClient
import EtcdProto
import Foundation
import GoFormat

/// get, put, del, txn and compaction.
enum KVCommands {
    static let get = Command(
        "get [options] <key> [range_end]", "Gets the key or a range of keys",
        flags: [
            Flag("consistency", .string, "l", "Linearizable(l) or Serializable(s)"),
            Flag("order", .string, "", "Order of results; ASCEND or DESCEND (ASCEND by default)"),
            Flag("sort-by", .string, "", "Sort target; CREATE, KEY, MODIFY, VALUE, or VERSION"),
            Flag("limit", .int64, "0", "Maximum number of results"),
            Flag("prefix", .bool, "false", "Get keys with matching prefix"),
            Flag("from-key", .bool, "false", "Get keys that are greater than or equal to the given key using byte compare"),
            Flag("rev", .int64, "0", "Specify the kv revision"),
            Flag("keys-only", .bool, "false", "Get only the keys"),
            Flag("count-only", .bool, "false", "Get only the count"),
            Flag("print-value-only", .bool, "false", "Only write values when using the \"simple\" output format"),
        ]
    ) { invocation in
        let request = try rangeRequest(invocation)
        let response = try await invocation.run { client in try await client.range(request, timeout: invocation.commandTimeout) }
        if invocation.bool("count-only"), invocation.printer.format != .fields {
            throw CommandError(.badArgs, "--count-only is only for `--write-out=fields`")
        }
        let valueOnly = invocation.bool("print-value-only")
        if valueOnly, invocation.printer.format != .simple {
            throw CommandError(.badArgs, "print-value-only is only for `--write-out=simple`")
        }
        try invocation.printer.get(response, valueOnly: valueOnly)
    }

    /// The range request the arguments and flags of `get` describe (also for a `get` in a txn).
    static func rangeRequest(_ invocation: Invocation) throws(CommandError) -> Etcdserverpb_RangeRequest {
        let arguments = invocation.arguments
        guard !arguments.isEmpty else {
            throw CommandError(.badArgs, "get command needs one argument as key and an optional argument as range_end")
        }
        let prefix = invocation.bool("prefix")
        let fromKey = invocation.bool("from-key")
        if prefix && fromKey {
            throw CommandError(.badArgs, "`--prefix` and `--from-key` cannot be set at the same time, choose one")
        }
        if invocation.bool("keys-only") && invocation.bool("count-only") {
            throw CommandError(.badArgs, "`--keys-only` and `--count-only` cannot be set at the same time, choose one")
        }
        var request = Etcdserverpb_RangeRequest()
        switch invocation.string("consistency") {
        case "s": request.serializable = true
        case "l": break
        case let other: throw CommandError(.badFeature, "unknown consistency flag \(GoQuote.quote(other))")
        }
        var key = Array(arguments[0].utf8)
        if arguments.count > 1 {
            if prefix || fromKey {
                throw CommandError(.badArgs, "too many arguments, only accept one argument when `--prefix` or `--from-key` is set")
            }
            request.rangeEnd = Data(arguments[1].utf8)
        }
        request.limit = invocation.int64("limit")
        if invocation.int64("rev") > 0 { request.revision = invocation.int64("rev") }
        switch invocation.string("order").uppercased() {
        case "ASCEND": request.sortOrder = .ascend
        case "DESCEND": request.sortOrder = .descend
        case "": break
        default: throw CommandError(.badFeature, "bad sort order \(invocation.string("order"))")
        }
        switch invocation.string("sort-by").uppercased() {
        case "CREATE": request.sortTarget = .create
        case "KEY", "": request.sortTarget = .key
        case "MODIFY": request.sortTarget = .mod
        case "VALUE": request.sortTarget = .value
        case "VERSION": request.sortTarget = .version
        default: throw CommandError(.badFeature, "bad sort target \(invocation.string("sort-by"))")
        }
        if prefix {
            if key.isEmpty {
                key = [0]
                request.rangeEnd = Data([0])
            } else {
                request.rangeEnd = Data(RangeRequests.prefixEnd(of: key))
            }
        }
        if fromKey {
            if key.isEmpty { key = [0] }
            request.rangeEnd = Data([0])
        }
        request.key = Data(key)
        request.keysOnly = invocation.bool("keys-only")
        request.countOnly = invocation.bool("count-only")
        return request
    }

    static let put = Command(
        "put [options] <key> <value> (<value> can also be given from stdin)", "Puts the given key into the store",
        long: """

            Puts the given key into the store.

            When <value> begins with '-', <value> is interpreted as a flag.
            Insert '--' for workaround:

            $ put <key> -- <value>
            $ put -- <key> <value>

            If <value> isn't given as a command line argument and '--ignore-value' is not specified,
            this command tries to read the value from standard input.

            If <lease> isn't given as a command line argument and '--ignore-lease' is not specified,
            this command tries to read the value from standard input.

            For example,
            $ cat file | put <key>
            will store the content of the file to <key>.

            """,
        flags: [
            Flag("lease", .string, "0", "lease ID (in hexadecimal) to attach to the key"),
            Flag("prev-kv", .bool, "false", "return the previous key-value pair before modification"),
            Flag("ignore-value", .bool, "false", "updates the key using its current value"),
            Flag("ignore-lease", .bool, "false", "updates the key using its current lease"),
        ]
    ) { invocation in
        let request = try putRequest(invocation, stdin: true)
        let response = try await invocation.run { client in try await client.put(request, timeout: invocation.commandTimeout) }
        try invocation.printer.put(response)
    }

    /// The put request of `put`'s arguments and flags; the value may come from standard input.
    static func putRequest(_ invocation: Invocation, stdin: Bool) throws(CommandError) -> Etcdserverpb_PutRequest {
        let arguments = invocation.arguments
        let usage = "put command needs 1 argument and input from stdin or 2 arguments"
        guard !arguments.isEmpty else { throw CommandError(.badArgs, usage) }
        let ignoreValue = invocation.bool("ignore-value")
        if ignoreValue && arguments.count > 1 {
            throw CommandError(.badArgs, "put command needs only 1 argument when 'ignore-value' is set")
        }
        var request = Etcdserverpb_PutRequest()
        request.key = Data(arguments[0].utf8)
        if !ignoreValue {
            if arguments.count > 1 {
                request.value = Data(arguments[1].utf8)
            } else {
                let input = stdin ? invocation.console.readInput() : []
                guard !input.isEmpty else { throw CommandError(.badArgs, usage) }
                request.value = Data(input)
            }
        }
        guard let lease = Int64(invocation.string("lease"), radix: 16) else {
            throw CommandError(.badArgs, "bad lease ID (strconv.ParseInt: parsing \(GoQuote.quote(invocation.string("lease"))): invalid syntax), expecting ID in Hex")
        }
        request.lease = lease
        request.prevKv = invocation.bool("prev-kv")
        request.ignoreValue = ignoreValue
        request.ignoreLease = invocation.bool("ignore-lease")
        return request
    }

    static let del = Command(
        "del [options] <key> [range_end]", "Removes the specified key or range of keys [key, range_end)",
        flags: [
            Flag("prefix", .bool, "false", "delete keys with matching prefix"),
            Flag("prev-kv", .bool, "false", "return deleted key-value pairs"),
            Flag("from-key", .bool, "false", "delete keys that are greater than or equal to the given key using byte compare"),
        ]
    ) { invocation in
        let request = try deleteRequest(invocation)
        let response = try await invocation.run { client in try await client.deleteRange(request, timeout: invocation.commandTimeout) }
        try invocation.printer.delete(response)
    }

    /// The delete request of `del`'s arguments and flags.
    static func deleteRequest(_ invocation: Invocation) throws(CommandError) -> Etcdserverpb_DeleteRangeRequest {
        let arguments = invocation.arguments
        guard (1...2).contains(arguments.count) else {
            throw CommandError(.badArgs, "del command needs one argument as key and an optional argument as range_end")
        }
        let prefix = invocation.bool("prefix")
        let fromKey = invocation.bool("from-key")
        if prefix && fromKey {
            throw CommandError(.badArgs, "`--prefix` and `--from-key` cannot be set at the same time, choose one")
        }
        var request = Etcdserverpb_DeleteRangeRequest()
        var key = Array(arguments[0].utf8)
        if arguments.count > 1 {
            if prefix || fromKey {
                throw CommandError(.badArgs, "too many arguments, only accept one argument when `--prefix` or `--from-key` is set")
            }
            request.rangeEnd = Data(arguments[1].utf8)
        }
        if prefix {
            if key.isEmpty {
                key = [0]
                request.rangeEnd = Data([0])
            } else {
                request.rangeEnd = Data(RangeRequests.prefixEnd(of: key))
            }
        }
        request.prevKv = invocation.bool("prev-kv")
        if fromKey {
            if key.isEmpty { key = [0] }
            request.rangeEnd = Data([0])
        }
        request.key = Data(key)
        return request
    }

    static let compaction = Command(
        "compaction [options] <revision>", "Compacts the event history in etcd",
        flags: [Flag("physical", .bool, "false", "'true' to wait for compaction to physically remove all old revisions")],
        action: compact
    )

    private static func compact(_ invocation: Invocation) async throws {
        guard invocation.arguments.count == 1 else { throw CommandError(.badArgs, "compaction command needs 1 argument") }
        guard let revision = Int64(invocation.arguments[0]) else {
            throw CommandError(.error, "strconv.ParseInt: parsing \(GoQuote.quote(invocation.arguments[0])): invalid syntax")
        }
        let physical = invocation.bool("physical")
        let client = try await invocation.client()
        do {
            _ = try await client.compact(revision: revision, physical: physical, timeout: invocation.commandTimeout)
        } catch {
            await client.close()
            throw CommandError(error)
        }
        await client.close()
        invocation.console.out("compacted revision \(revision)\n")
    }
}
