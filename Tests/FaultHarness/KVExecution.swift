import EtcdClient
import EtcdProto
import Foundation
import HistoryCheck

/// A ``KVRequest`` sent to etcd as the request a client author would send: a serializable single get as
/// a serializable range, everything else as one transaction (value comparisons, an absent key compared
/// by its create revision 0), and the answer read back as a ``KVResponse``.
enum KVExecution {
    /// Sends `request` through `client`; throws what the client throws (the outcome is then unknown).
    static func run(_ request: KVRequest, on client: EtcdClient, timeout: Duration) async throws(EtcdError) -> KVResponse {
        if request.serializable, request.compares.isEmpty, request.failure.isEmpty, request.success.count == 1,
            case .get(let key) = request.success[0] {
            var range = Etcdserverpb_RangeRequest()
            range.key = Data(key.utf8)
            range.serializable = true
            let response = try await client.range(range, timeout: timeout)
            return KVResponse(reads: [response.kvs.first.map { String(decoding: $0.value, as: UTF8.self) }], revision: response.header.revision)
        }
        var txn = Etcdserverpb_TxnRequest()
        txn.compare = request.compares.map(Self.compare)
        txn.success = request.success.map(Self.operation)
        txn.failure = request.failure.map(Self.operation)
        let response = try await client.txn(txn, timeout: timeout)
        var reads: [String?] = []
        for answer in response.responses {
            if case .responseRange(let range) = answer.response {
                reads.append(range.kvs.first.map { String(decoding: $0.value, as: UTF8.self) })
            }
        }
        return KVResponse(succeeded: response.succeeded, reads: reads, revision: response.header.revision)
    }

    private static func compare(_ compare: KVRequest.Compare) -> Etcdserverpb_Compare {
        var result = Etcdserverpb_Compare()
        result.key = Data(compare.key.utf8)
        result.result = .equal
        if let value = compare.value {
            result.target = .value
            result.value = Data(value.utf8)
        } else {
            result.target = .create
            result.createRevision = 0
        }
        return result
    }

    private static func operation(_ op: KVRequest.Op) -> Etcdserverpb_RequestOp {
        var result = Etcdserverpb_RequestOp()
        switch op {
        case .put(let key, let value):
            var put = Etcdserverpb_PutRequest()
            put.key = Data(key.utf8)
            put.value = Data(value.utf8)
            result.requestPut = put
        case .get(let key):
            var range = Etcdserverpb_RangeRequest()
            range.key = Data(key.utf8)
            result.requestRange = range
        case .delete(let key):
            var delete = Etcdserverpb_DeleteRangeRequest()
            delete.key = Data(key.utf8)
            result.requestDeleteRange = delete
        }
        return result
    }
}
