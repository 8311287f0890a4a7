import Backend
import EtcdProto
import Foundation
import EtcdServer
import Testing

/// etcd's quota cost model and the quota's three settings.
struct BackendQuotaTests {
    private func put(_ key: String, _ value: Int) -> Etcdserverpb_RequestOp {
        var operation = Etcdserverpb_RequestOp()
        operation.requestPut.key = Data(key.utf8)
        operation.requestPut.value = Data(count: value)
        return operation
    }

    @Test func costsFollowEtcd() {
        var request = Memberpb_InternalRequest()
        request.put.key = Data("key".utf8)
        request.put.value = Data(count: 100)
        #expect(BackendQuota.cost(of: request) == 256 + 3 + 100)

        var txn = Etcdserverpb_TxnRequest()
        txn.success = [self.put("a", 10), self.put("b", 10)]
        var nested = Etcdserverpb_TxnRequest()
        nested.failure = [self.put("c", 1_000)]
        var nestedOperation = Etcdserverpb_RequestOp()
        nestedOperation.requestTxn = nested
        var delete = Etcdserverpb_RequestOp()
        delete.requestDeleteRange.key = Data("d".utf8)
        txn.failure = [delete, nestedOperation]
        request.txn = txn
        #expect(BackendQuota.cost(of: request) == 256 + 1 + 1_000, "the dearer branch, nested txns included")

        request.leaseGrant = Etcdserverpb_LeaseGrantRequest()
        #expect(BackendQuota.cost(of: request) == 64)
        request.deleteRange = Etcdserverpb_DeleteRangeRequest()
        #expect(BackendQuota.cost(of: request) == 0)
        request.alarm = Etcdserverpb_AlarmRequest()
        #expect(BackendQuota.cost(of: request) == 0)
    }

    @Test func zeroMeansTheDefaultAndNegativeMeansNone() {
        #expect(BackendQuota(configuredBytes: 0).limitBytes == Int64(2 * 1024 * 1024 * 1024))
        #expect(BackendQuota(configuredBytes: 16 * 1024 * 1024).limitBytes == Int64(16 * 1024 * 1024))
        #expect(BackendQuota(configuredBytes: -1).limitBytes == nil)
    }

    @Test func aRequestFitsWhileTheFileAndItsCostStayBelowTheQuota() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quota-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let backend = try Backend(configuration: BackendConfiguration(path: "\(directory)/db"))
        defer { backend.close() }
        let size = backend.sizeBytes()
        var request = Memberpb_InternalRequest()
        request.put.key = Data("k".utf8)
        request.put.value = Data(count: 1_000)
        let cost = Int64(BackendQuota.cost(of: request))
        #expect(BackendQuota(configuredBytes: size + cost + 1).admits(costBytes: BackendQuota.cost(of: request), backend: backend))
        #expect(!BackendQuota(configuredBytes: size + cost).admits(costBytes: BackendQuota.cost(of: request), backend: backend), "etcd requires size + cost < quota")
        #expect(BackendQuota(configuredBytes: -1).admits(costBytes: BackendQuota.cost(of: request), backend: backend))
        request.deleteRange = Etcdserverpb_DeleteRangeRequest()
        #expect(BackendQuota(configuredBytes: 1).admits(costBytes: BackendQuota.cost(of: request), backend: backend), "deletes always fit")
    }
}
