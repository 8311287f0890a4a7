import EtcdProto
import Foundation
import GoFormat
import SwiftProtobuf

/// etcdctl's output formats (`-w`): what each command prints for each, byte for byte as Go etcdctl 3.5.
enum OutputFormat: String, Sendable {
    case simple, json, fields, protobuf, table
}

/// Prints responses in the chosen format, as Go etcdctl's printers do; a format a command has no
/// printer for ends the command with etcdctl's error.
struct Printer: Sendable {
    let format: OutputFormat
    /// `--hex`: keys and values as `\x..` escapes (simple), ids in hex (json member list).
    let hex: Bool
    let console: Console

    /// etcdctl's refusal of a format a command cannot print.
    func unsupported() -> CommandError {
        CommandError(.badFeature, "\(self.format.rawValue) not supported as output format")
    }

    // MARK: Shared pieces

    /// A key-value in simple output: key then value on lines of their own (`--hex` escapes each byte).
    func simpleKV(_ kv: Mvccpb_KeyValue, valueOnly: Bool = false) {
        let (key, value) = self.hex
            ? (Array(Self.hexEscaped(kv.key).utf8), Array(Self.hexEscaped(kv.value).utf8)) : (Array(kv.key), Array(kv.value))
        if !valueOnly { self.console.out(bytes: key + [0x0A]) }
        self.console.out(bytes: value + [0x0A])
    }

    /// A key-value in fields output, its names prefixed with `prefix` (`Prev`).
    func fieldsKV(_ prefix: String, _ kv: Mvccpb_KeyValue) {
        self.console.out("\"\(prefix)Key\" : \(GoQuote.quote(kv.key))\n")
        self.console.out("\"\(prefix)CreateRevision\" : \(kv.createRevision)\n")
        self.console.out("\"\(prefix)ModRevision\" : \(kv.modRevision)\n")
        self.console.out("\"\(prefix)Version\" : \(kv.version)\n")
        self.console.out("\"\(prefix)Value\" : \(GoQuote.quote(kv.value))\n")
        self.console.out("\"\(prefix)Lease\" : \(kv.lease)\n")
    }

    /// A response header in fields output.
    func fieldsHeader(_ header: Etcdserverpb_ResponseHeader) {
        self.console.out("\"ClusterID\" : \(header.clusterID)\n")
        self.console.out("\"MemberID\" : \(header.memberID)\n")
        self.console.out("\"Revision\" : \(header.revision)\n")
        self.console.out("\"RaftTerm\" : \(header.raftTerm)\n")
    }

    /// A message in json output (Go's `json.Marshal` of it) and a newline.
    func json(_ message: some Message & GoJSONNamed) {
        self.console.out(GoJSONMessage.encode(message) + "\n")
    }

    /// A message in protobuf output: its bytes, nothing after.
    func protobuf(_ message: some Message) {
        do {
            self.console.out(bytes: try message.serializedBytes())
        } catch {
            self.console.error("\(error)\n")
        }
    }

    /// The fields of an embedded `*pb.ResponseHeader` in a clientv3 struct's JSON: inline, zero ones left out.
    static func inlineHeader(_ header: Etcdserverpb_ResponseHeader) -> [(String, String)] {
        var fields: [(String, String)] = []
        if header.clusterID != 0 { fields.append(("cluster_id", "\(header.clusterID)")) }
        if header.memberID != 0 { fields.append(("member_id", "\(header.memberID)")) }
        if header.revision != 0 { fields.append(("revision", "\(header.revision)")) }
        if header.raftTerm != 0 { fields.append(("raft_term", "\(header.raftTerm)")) }
        return fields
    }

    /// etcdctl's `--hex`: each byte as `\xhh`.
    static func hexEscaped(_ bytes: Data) -> String {
        bytes.map { "\\x" + GoQuote.hex(UInt32($0), width: 2) }.joined()
    }

    /// Go's `%016x`.
    static func hex16(_ value: Int64) -> String {
        GoQuote.hex(UInt32(truncatingIfNeeded: UInt64(bitPattern: value) >> 32), width: 8)
            + GoQuote.hex(UInt32(truncatingIfNeeded: UInt64(bitPattern: value)), width: 8)
    }

    /// Go's `%16x` (padded with spaces).
    static func spaced16(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: " ", count: max(0, 16 - digits.count)) + digits
    }
}
