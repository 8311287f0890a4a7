import EtcdProto
import Foundation
import GoFormat

/// What the lease commands print. Their json is Go's json of clientv3's lease structs: the header's
/// fields inline, then the lease's.
extension Printer {
    func grant(_ response: Etcdserverpb_LeaseGrantResponse) throws(CommandError) {
        switch self.format {
        case .simple:
            self.console.out("lease \(Self.hex16(response.id)) granted with TTL(\(response.ttl)s)\n")
        case .fields:
            self.fieldsHeader(response.header)
            self.console.out("\"ID\" : \(response.id)\n\"TTL\" : \(response.ttl)\n")
        case .json:
            self.console.out(GoJSON.object(Self.inlineHeader(response.header) + [
                ("ID", "\(response.id)"), ("TTL", "\(response.ttl)"), ("Error", GoJSON.string(response.error)),
            ]) + "\n")
        case .protobuf: throw Self.marshalUnsupported("clientv3.LeaseGrantResponse")
        case .table: throw self.unsupported()
        }
    }

    func revoke(_ id: Int64, _ response: Etcdserverpb_LeaseRevokeResponse) throws(CommandError) {
        switch self.format {
        case .simple: self.console.out("lease \(Self.hex16(id)) revoked\n")
        case .fields: self.fieldsHeader(response.header)
        case .json: self.json(response)
        case .protobuf: self.protobuf(response)
        case .table: throw self.unsupported()
        }
    }

    func keepAlive(_ response: Etcdserverpb_LeaseKeepAliveResponse) throws(CommandError) {
        switch self.format {
        case .simple:
            self.console.out("lease \(Self.hex16(response.id)) keepalived with TTL(\(response.ttl))\n")
        case .fields:
            self.fieldsHeader(response.header)
            self.console.out("\"ID\" : \(response.id)\n\"TTL\" : \(response.ttl)\n")
        case .json:
            self.console.out(GoJSON.object(Self.inlineHeader(response.header) + [("ID", "\(response.id)"), ("TTL", "\(response.ttl)")]) + "\n")
        case .protobuf: throw Self.marshalUnsupported("clientv3.LeaseKeepAliveResponse")
        case .table: throw self.unsupported()
        }
    }

    func timeToLive(_ response: Etcdserverpb_LeaseTimeToLiveResponse, keys: Bool) throws(CommandError) {
        switch self.format {
        case .simple:
            if response.grantedTtl == 0 && response.ttl == -1 {
                self.console.out("lease \(Self.hex16(response.id)) already expired\n")
                return
            }
            var text = "lease \(Self.hex16(response.id)) granted with TTL(\(response.grantedTtl)s), remaining(\(response.ttl)s)"
            if keys {
                text += ", attached keys([" + response.keys.map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ") + "])"
            }
            self.console.out(text + "\n")
        case .fields:
            self.fieldsHeader(response.header)
            self.console.out("\"ID\" : \(response.id)\n\"TTL\" : \(response.ttl)\n\"GrantedTTL\" : \(response.grantedTtl)\n")
            for key in response.keys { self.console.out("\"Key\" : \(GoQuote.quote(key))\n") }
        case .json:
            let keys = response.keys.isEmpty ? "null" : GoJSON.array(response.keys.map(GoJSON.bytes))
            self.console.out(GoJSON.object(Self.inlineHeader(response.header) + [
                ("id", "\(response.id)"), ("ttl", "\(response.ttl)"), ("granted-ttl", "\(response.grantedTtl)"), ("keys", keys),
            ]) + "\n")
        case .protobuf: throw Self.marshalUnsupported("*clientv3.LeaseTimeToLiveResponse")
        case .table: throw self.unsupported()
        }
    }

    func leases(_ response: Etcdserverpb_LeaseLeasesResponse) throws(CommandError) {
        switch self.format {
        case .simple:
            self.console.out("found \(response.leases.count) leases\n")
            for lease in response.leases { self.console.out(Self.hex16(lease.id) + "\n") }
        case .fields:
            self.fieldsHeader(response.header)
            for lease in response.leases { self.console.out("\"ID\" : \(lease.id)\n") }
        case .json:
            let leases = response.leases.isEmpty ? "null" : GoJSON.array(response.leases.map { GoJSON.object([("id", "\($0.id)")]) })
            self.console.out(GoJSON.object(Self.inlineHeader(response.header) + [("leases", leases)]) + "\n")
        case .protobuf: throw Self.marshalUnsupported("*clientv3.LeaseLeasesResponse")
        case .table: throw self.unsupported()
        }
    }

    /// etcdctl's error for a clientv3 struct its protobuf printer cannot marshal.
    static func marshalUnsupported(_ type: String) -> CommandError {
        CommandError(.badFeature, "marshal unsupported for type \(type)")
    }
}
