import EtcdProto
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2

/// Questions the cluster tests ask members through their gRPC clients: who they are, how far they have
/// applied, what their history hashes to, and bulk writes to push a lagging member past the Raft log.
extension EndpointClients {
    /// The member id of the member at `port`.
    func memberID(port: Int) async throws -> UInt64 {
        try await self.maintenance(port).status(Etcdserverpb_StatusRequest()).header.memberID
    }

    /// The revision the member at `port` has applied (serializable: its own copy).
    func revision(port: Int) async throws -> Int64 {
        try await self.read(prefix: "zzz-probe", port: port).revision
    }

    /// Waits until the member at `port` has applied revision `revision`; false after `timeout`.
    func waitForRevision(_ revision: Int64, port: Int, timeout: Duration = .seconds(30)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let current = try? await self.revision(port: port), current >= revision { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// The member's `HashKV` at `revision`: the hash and the compaction revision it covers.
    func hashKV(port: Int, revision: Int64) async throws -> (hash: UInt32, compactRevision: Int64) {
        var request = Etcdserverpb_HashKVRequest()
        request.revision = revision
        var options = CallOptions.defaults
        options.timeout = .seconds(10)
        let response = try await self.maintenance(port).hashKV(request, options: options)
        return (response.hash, response.compactRevision)
    }

    /// Puts `count` keys `prefix0`, `prefix1`, ... through the member at `port`, `perTxn` puts per txn
    /// and `concurrency` txns at a time; returns the revision of the last answer.
    @discardableResult
    func putMany(_ count: Int, prefix: String, port: Int, perTxn: Int = 1, concurrency: Int = 8, value: String = "v") async throws -> Int64 {
        let batches = stride(from: 0, to: count, by: perTxn).map { $0..<min($0 + perTxn, count) }
        var revision: Int64 = 0
        try await withThrowingTaskGroup(of: Int64.self) { group in
            var next = 0
            func submit() {
                guard next < batches.count else { return }
                let batch = batches[next]
                next += 1
                group.addTask {
                    var txn = Etcdserverpb_TxnRequest()
                    txn.success = batch.map { index in
                        var put = Etcdserverpb_PutRequest()
                        put.key = Data("\(prefix)\(index)".utf8)
                        put.value = Data(value.utf8)
                        var operation = Etcdserverpb_RequestOp()
                        operation.requestPut = put
                        return operation
                    }
                    var options = CallOptions.defaults
                    options.timeout = .seconds(20)
                    // A put may be repeated: the same keys and values again. The client's connection may
                    // still be coming up (or reset by a member starting): retry those refusals.
                    var retries = 0
                    while true {
                        do {
                            return try await self.kv(port).txn(txn, options: options).header.revision
                        } catch let error as RPCError where error.code == .unavailable && retries < 20 {
                            retries += 1
                            try await Task.sleep(for: .milliseconds(100))
                        }
                    }
                }
            }
            for _ in 0..<concurrency { submit() }
            while let answered = try await group.next() {
                revision = max(revision, answered)
                submit()
            }
        }
        return revision
    }
}
