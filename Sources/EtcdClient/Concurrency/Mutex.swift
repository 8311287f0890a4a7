import EtcdProto
import Foundation

/// A distributed lock with clientv3's algorithm and keys (`prefix/<lease in hex>`, the oldest creation
/// holds it), so a Swift and a Go mutex on the same prefix exclude each other (`etcdctl lock` included).
public final class EtcdMutex: Sendable {
    public let session: Session
    /// The prefix with clientv3's trailing slash.
    public let prefix: String
    /// This holder's key.
    public var key: String { self.prefix + String(self.session.lease, radix: 16) }

    /// A mutex on `prefix` held through `session`.
    public init(session: Session, prefix: String) {
        self.session = session
        self.prefix = prefix + "/"
    }

    /// Waits until this session holds the lock; returns the header of the answer that granted it. On
    /// failure (or cancellation) the waiting key is deleted again.
    @discardableResult
    public func lock() async throws -> Etcdserverpb_ResponseHeader {
        let client = self.session.client
        let key = Array(self.key.utf8)
        var compare = Etcdserverpb_Compare()
        compare.key = Data(key)
        compare.target = .create
        compare.result = .equal
        compare.createRevision = 0
        var put = Etcdserverpb_PutRequest()
        put.key = Data(key)
        put.lease = self.session.lease
        var txn = Etcdserverpb_TxnRequest()
        txn.compare = [compare]
        txn.success = [.put(put), .range(Waiting.byCreation(self.prefix, ascending: true))]
        txn.failure = [.range(RangeRequests.key(key)), .range(Waiting.byCreation(self.prefix, ascending: true))]
        let answer = try await client.txn(txn)
        var revision = answer.header.revision
        if !answer.succeeded, let mine = answer.responses.first?.responseRange.kvs.first {
            revision = mine.createRevision
        }
        let owner = answer.responses.last?.responseRange.kvs.first
        if owner == nil || owner?.createRevision == revision { return answer.header }
        do {
            return try await Waiting.deletions(under: self.prefix, createdBy: revision - 1, client: client)
        } catch {
            try? await self.unlock()
            throw error
        }
    }

    /// Releases the lock (deletes this session's key).
    public func unlock() async throws(EtcdError) {
        try await self.session.client.delete(self.key)
    }
}

extension Etcdserverpb_RequestOp {
    static func put(_ request: Etcdserverpb_PutRequest) -> Etcdserverpb_RequestOp {
        var operation = Etcdserverpb_RequestOp()
        operation.requestPut = request
        return operation
    }

    static func range(_ request: Etcdserverpb_RangeRequest) -> Etcdserverpb_RequestOp {
        var operation = Etcdserverpb_RequestOp()
        operation.requestRange = request
        return operation
    }

    static func delete(_ request: Etcdserverpb_DeleteRangeRequest) -> Etcdserverpb_RequestOp {
        var operation = Etcdserverpb_RequestOp()
        operation.requestDeleteRange = request
        return operation
    }
}
