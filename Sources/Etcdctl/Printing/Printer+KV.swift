import EtcdProto
import Foundation
import GoFormat

/// What get, put, del, txn and watch print.
extension Printer {
    func get(_ response: Etcdserverpb_RangeResponse, valueOnly: Bool = false) throws(CommandError) {
        switch self.format {
        case .simple:
            for kv in response.kvs { self.simpleKV(kv, valueOnly: valueOnly) }
        case .fields:
            self.fieldsHeader(response.header)
            for kv in response.kvs { self.fieldsKV("", kv) }
            self.console.out("\"More\" : \(response.more)\n")
            self.console.out("\"Count\" : \(response.count)\n")
        case .json: self.json(response)
        case .protobuf: self.protobuf(response)
        case .table: throw self.unsupported()
        }
    }

    func put(_ response: Etcdserverpb_PutResponse) throws(CommandError) {
        switch self.format {
        case .simple:
            self.console.out("OK\n")
            if response.hasPrevKv { self.simpleKV(response.prevKv) }
        case .fields:
            self.fieldsHeader(response.header)
            if response.hasPrevKv { self.fieldsKV("Prev", response.prevKv) }
        case .json: self.json(response)
        case .protobuf: self.protobuf(response)
        case .table: throw self.unsupported()
        }
    }

    func delete(_ response: Etcdserverpb_DeleteRangeResponse) throws(CommandError) {
        switch self.format {
        case .simple:
            self.console.out("\(response.deleted)\n")
            for kv in response.prevKvs { self.simpleKV(kv) }
        case .fields:
            self.fieldsHeader(response.header)
            self.console.out("\"Deleted\" : \(response.deleted)\n")
            for kv in response.prevKvs { self.fieldsKV("Prev", kv) }
        case .json: self.json(response)
        case .protobuf: self.protobuf(response)
        case .table: throw self.unsupported()
        }
    }

    func txn(_ response: Etcdserverpb_TxnResponse) throws(CommandError) {
        switch self.format {
        case .simple:
            self.console.out(response.succeeded ? "SUCCESS\n" : "FAILURE\n")
            for operation in response.responses {
                self.console.out("\n")
                try self.operation(operation)
            }
        case .fields:
            self.fieldsHeader(response.header)
            self.console.out("\"Succeeded\" : \(response.succeeded)\n")
            for operation in response.responses { try self.operation(operation) }
        case .json: self.json(response)
        case .protobuf: self.protobuf(response)
        case .table: throw self.unsupported()
        }
    }

    private func operation(_ operation: Etcdserverpb_ResponseOp) throws(CommandError) {
        switch operation.response {
        case .responseRange(let range): try self.get(range)
        case .responsePut(let put): try self.put(put)
        case .responseDeleteRange(let delete): try self.delete(delete)
        case .responseTxn, nil: self.console.out("unexpected response \(operation)\n")
        }
    }

    func watch(_ response: Etcdserverpb_WatchResponse) throws(CommandError) {
        switch self.format {
        case .simple:
            for event in response.events {
                self.console.out(event.type == .put ? "PUT\n" : "DELETE\n")
                if event.hasPrevKv { self.simpleKV(event.prevKv) }
                self.simpleKV(event.kv)
            }
        case .fields:
            self.fieldsHeader(response.header)
            for event in response.events {
                self.console.out("\"Type\" : \(event.type == .put ? "PUT" : "DELETE")\n")
                if event.hasPrevKv { self.fieldsKV("Prev", event.prevKv) }
                self.fieldsKV("", event.kv)
            }
        case .json:
            let events = response.events.isEmpty ? "null" : GoJSON.array(response.events.map { GoJSONMessage.encode($0) })
            self.console.out(GoJSON.object([
                ("Header", GoJSONMessage.encode(response.header)),
                ("Events", events),
                ("CompactRevision", "\(response.compactRevision)"),
                ("Canceled", response.canceled ? "true" : "false"),
                ("Created", response.created ? "true" : "false"),
            ]) + "\n")
        case .protobuf:
            var message = Etcdserverpb_WatchResponse()
            message.header = response.header
            message.events = response.events
            message.compactRevision = response.compactRevision
            message.canceled = response.canceled
            message.created = response.created
            self.protobuf(message)
        case .table: throw self.unsupported()
        }
    }
}
