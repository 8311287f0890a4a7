import EtcdClient
import EtcdProto
import Foundation
import GoFormat

/// txn: compares, then the requests on success, then those on failure, read from standard input (one per
/// line, each list ended by an empty line), as etcdctl reads them; `-i` prompts for each list.
enum TxnCommand {
    static let txn = Command(
        "txn [options]", "Txn processes all the requests in one transaction",
        flags: [Flag("interactive", .bool, "false", "Input transaction in interactive mode", shorthand: "i")]
    ) { invocation in
        guard invocation.arguments.isEmpty else { throw CommandError(.badArgs, "txn command does not accept argument") }
        let interactive = invocation.bool("interactive")
        var request = Etcdserverpb_TxnRequest()
        if interactive { invocation.console.out("compares:\n") }
        for line in try lines() { request.compare.append(try compare(line)) }
        if interactive { invocation.console.out("success requests (get, put, del):\n") }
        for line in try lines() { request.success.append(try operation(line, invocation)) }
        if interactive { invocation.console.out("failure requests (get, put, del):\n") }
        for line in try lines() { request.failure.append(try operation(line, invocation)) }
        let response = try await invocation.run { client in try await client.txn(request) }
        try invocation.printer.txn(response)
    }

    /// Lines up to an empty one (trimmed); the end of input before it is etcdctl's EOF error.
    private static func lines() throws(CommandError) -> [String] {
        var lines: [String] = []
        while true {
            guard let line = readLine(strippingNewline: true) else { throw CommandError(.invalidInput, "EOF") }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { return lines }
            lines.append(trimmed)
        }
    }

    /// One compare, etcdctl's syntax: `<target>("<key>") <op> "<value>"` with target ver, create, mod,
    /// value, lease (or their short forms) and op one of = != < >.
    static func compare(_ line: String) throws(CommandError) -> Etcdserverpb_Compare {
        guard let open = line.firstIndex(of: "(") else { throw CommandError(.invalidInput, "malformed comparison: \(line)") }
        let target = String(line[..<open])
        let scan = CompareScan(line[line.index(after: open)...])
        guard scan.fields == 3 else {
            let got = "\(target)(\(GoQuote.quote(scan.key))) \(scan.op) \(GoQuote.quote(scan.value))"
            throw CommandError(.invalidInput, "malformed comparison: \(line); got \(got)")
        }
        var compare = Etcdserverpb_Compare()
        compare.key = Data(scan.key)
        switch scan.op {
        case "=": compare.result = .equal
        case "!=": compare.result = .notEqual
        case ">": compare.result = .greater
        case "<": compare.result = .less
        default: throw CommandError(.invalidInput, "malformed comparison: \(line) (unknown operator \(scan.op))")
        }
        let text = String(decoding: scan.value, as: UTF8.self)
        let invalid = CommandError(.invalidInput, "invalid txn compare request: \(line)")
        switch target {
        case "ver", "version":
            guard let number = Int64(text) else { throw invalid }
            compare.target = .version
            compare.version = number
        case "c", "create":
            guard let number = Int64(text) else { throw invalid }
            compare.target = .create
            compare.createRevision = number
        case "m", "mod":
            guard let number = Int64(text) else { throw invalid }
            compare.target = .mod
            compare.modRevision = number
        case "val", "value":
            compare.target = .value
            compare.value = Data(scan.value)
        case "lease":
            guard let number = Int64(text) else { throw invalid }
            compare.target = .lease
            compare.lease = number
        default:
            throw CommandError(.invalidInput, "malformed comparison: \(line) (unknown target \(target))")
        }
        return compare
    }

    /// One request line: `get`, `put` or `del` with their own flags and arguments.
    static func operation(_ line: String, _ invocation: Invocation) throws(CommandError) -> Etcdserverpb_RequestOp {
        let words = self.argify(line)
        guard words.count >= 2 else { throw CommandError(.invalidInput, "invalid txn compare request: \(line)") }
        let invalid = CommandError(.invalidInput, "invalid txn request: \(line)")
        let commands = [KVCommands.get, KVCommands.put, KVCommands.del]
        let root = Command("txn", "", subcommands: commands)
        guard let parsed = try? CommandLineParser(root: root, globalFlags: []).parse(words), parsed.path.count == 2 else { throw invalid }
        let command = parsed.path[1]
        let local = Invocation(
            path: ["txn", command.name], arguments: parsed.positional, beforeSeparator: nil, values: parsed.values,
            given: parsed.set, defaults: Dictionary(command.flags.map { ($0.name, $0.defaultValue) }) { first, _ in first },
            console: invocation.console, printer: invocation.printer
        )
        var operation = Etcdserverpb_RequestOp()
        do {
            switch command.name {
            case "get": operation.requestRange = try KVCommands.rangeRequest(local)
            case "put": operation.requestPut = try KVCommands.putRequest(local, stdin: false)
            default: operation.requestDeleteRange = try KVCommands.deleteRequest(local)
            }
        } catch {
            throw error
        }
        return operation
    }

    /// etcdctl's `argify`: words of a line, where "double quoted" words take Go's escapes and 'single
    /// quoted' words are taken as they are.
    static func argify(_ line: String) -> [String] {
        var words: [String] = []
        var rest = Substring(line)
        while true {
            rest = rest.drop { $0 == " " || $0 == "\t" }
            guard let first = rest.first else { return words }
            if first == "\"", let quoted = GoQuote.unquote(prefixOf: rest) {
                words.append(String(decoding: quoted.value, as: UTF8.self))
                rest = quoted.rest
            } else if first == "'", let end = rest.dropFirst().firstIndex(of: "'") {
                words.append(String(rest[rest.index(after: rest.startIndex)..<end]))
                rest = rest[rest.index(after: end)...]
            } else {
                let word = rest.prefix { $0 != " " && $0 != "\t" }
                words.append(String(word))
                rest = rest.dropFirst(word.count)
            }
        }
    }
}
