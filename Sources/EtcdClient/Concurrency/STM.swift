import EtcdProto
import Foundation

/// How an STM transaction's reads may interleave with other writers (clientv3's `concurrency.Isolation`).
public enum STMIsolation: Sendable {
    /// Reads at the revision of the first read, and the commit also fails when a written key changed after it:
    /// serializable with write-conflict checks. clientv3's default.
    case serializableSnapshot
    /// Reads at the revision of the first read; the commit fails when a read key changed.
    case serializable
    /// Each key is read once per attempt (from any member, serializable); the commit fails when a read key changed.
    case repeatableReads
    /// Reads whatever is committed; the commit never conflicts.
    case readCommitted
}

/// One attempt of software transactional memory over etcd (clientv3's `concurrency.STM`): reads are recorded in
/// a read set, writes wait in a write set, and the attempt commits as one transaction guarded by comparisons
/// of the read (and, for ``STMIsolation/serializableSnapshot``, written) keys' modification revisions. Handed
/// to the closure of ``EtcdClient/stm(isolation:prefetch:_:)``, which runs it again while the commit conflicts.
public final class STMTransaction {
    private struct Write {
        let value: Data
        let operation: Etcdserverpb_RequestOp
    }

    private let client: EtcdClient
    private let isolation: STMIsolation
    private var reads: [String: Etcdserverpb_RangeResponse] = [:]
    private var writes: [String: Write] = [:]
    /// Answers the failed commit read for a serializable attempt, used by the next attempt before asking again.
    private var prefetched: [String: Etcdserverpb_RangeResponse] = [:]
    /// The revision a serializable attempt reads at, fixed by its first read.
    private var snapshotRevision: Int64?

    init(client: EtcdClient, isolation: STMIsolation) {
        self.client = client
        self.isolation = isolation
    }

    /// The value of the first of `keys` written in this attempt, else of the first of them already read, else
    /// of the first after reading them all (in one transaction); empty when the key does not exist.
    public func get(_ keys: String...) async throws(EtcdError) -> Data {
        try await self.get(keys)
    }

    /// ``get(_:)-(String...)`` with the keys as an array.
    public func get(_ keys: [String]) async throws(EtcdError) -> Data {
        if let written = keys.lazy.compactMap({ self.writes[$0] }).first { return written.value }
        return try await self.read(keys)?.kvs.first?.value ?? Data()
    }

    /// Writes `value` at `key` when the attempt commits, attached to `lease` when given.
    public func put(_ key: String, _ value: Data, lease: Int64 = 0) {
        var put = Etcdserverpb_PutRequest()
        put.key = Data(key.utf8)
        put.value = value
        put.lease = lease
        var operation = Etcdserverpb_RequestOp()
        operation.requestPut = put
        self.writes[key] = Write(value: value, operation: operation)
    }

    /// Writes `value` as UTF-8.
    public func put(_ key: String, _ value: String, lease: Int64 = 0) {
        self.put(key, Data(value.utf8), lease: lease)
    }

    /// Deletes `key` when the attempt commits.
    public func delete(_ key: String) {
        var delete = Etcdserverpb_DeleteRangeRequest()
        delete.key = Data(key.utf8)
        var operation = Etcdserverpb_RequestOp()
        operation.requestDeleteRange = delete
        self.writes[key] = Write(value: Data(), operation: operation)
    }

    /// The modification revision of `key` as this attempt read it (reading it now if it has not); 0 when the
    /// key does not exist.
    public func revision(of key: String) async throws(EtcdError) -> Int64 {
        try await self.read([key])?.kvs.first?.modRevision ?? 0
    }

    /// Starts an attempt afresh; what a failed serializable commit read back stays as prefetched answers.
    func reset() {
        self.reads = [:]
        self.writes = [:]
    }

    /// Commits the attempt: its writes, if no guarded key changed. Returns nil on a conflict.
    func commit() async throws(EtcdError) -> Etcdserverpb_TxnResponse? {
        let readKeys = self.reads.keys.sorted()
        var request = Etcdserverpb_TxnRequest()
        request.compare = self.conflicts()
        request.success = self.writes.keys.sorted().map { self.writes[$0]!.operation }
        if self.isSerializable {
            request.failure = readKeys.map { Self.get($0, at: nil) }
        }
        let answer = try await self.client.txn(request)
        if answer.succeeded { return answer }
        if self.isSerializable {
            self.prefetched = Dictionary(uniqueKeysWithValues: zip(readKeys, answer.responses.map(\.responseRange)))
            self.snapshotRevision = nil
        }
        return nil
    }

    private var isSerializable: Bool {
        self.isolation == .serializable || self.isolation == .serializableSnapshot
    }

    /// The first of `keys` already read, else all of them read in one transaction and the first returned.
    private func read(_ keys: [String]) async throws(EtcdError) -> Etcdserverpb_RangeResponse? {
        guard !keys.isEmpty else { return nil }
        let firstRead = self.reads.isEmpty
        if self.isSerializable {
            for key in keys {
                if let answer = self.prefetched.removeValue(forKey: key) { self.reads[key] = answer }
            }
        }
        let first: Etcdserverpb_RangeResponse
        if let known = keys.lazy.compactMap({ self.reads[$0] }).first {
            first = known
        } else {
            var request = Etcdserverpb_TxnRequest()
            request.success = keys.map { Self.get($0, at: self.readRevision) }
            let answer = try await self.client.txn(request)
            for (key, response) in zip(keys, answer.responses) { self.reads[key] = response.responseRange }
            first = answer.responses.first?.responseRange ?? Etcdserverpb_RangeResponse()
        }
        // A serializable attempt reads at the revision of its first read, prefetched or not.
        if self.isSerializable, firstRead { self.snapshotRevision = first.header.revision }
        return first
    }

    /// What a read asks for: nil for a linearizable read, 0 for a serializable read of the latest revision,
    /// else a serializable read at that revision.
    private var readRevision: Int64? {
        switch self.isolation {
        case .serializableSnapshot, .serializable: self.snapshotRevision
        case .repeatableReads, .readCommitted: 0
        }
    }

    private static func get(_ key: String, at revision: Int64?) -> Etcdserverpb_RequestOp {
        var range = Etcdserverpb_RangeRequest()
        range.key = Data(key.utf8)
        if let revision {
            range.revision = revision
            range.serializable = true
        }
        var operation = Etcdserverpb_RequestOp()
        operation.requestRange = range
        return operation
    }

    /// The comparisons the commit is guarded by.
    private func conflicts() -> [Etcdserverpb_Compare] {
        switch self.isolation {
        case .readCommitted:
            return []
        case .serializable, .repeatableReads:
            return self.readGuards()
        case .serializableSnapshot:
            let firstRevision = self.reads.values.map(\.header.revision).min() ?? (Int64.max - 1)
            return self.readGuards() + self.writes.keys.sorted().map { Self.modRevision(of: $0, .less, firstRevision + 1) }
        }
    }

    /// Each read key still at the modification revision it was read at (0: still absent).
    private func readGuards() -> [Etcdserverpb_Compare] {
        self.reads.keys.sorted().map { key in Self.modRevision(of: key, .equal, self.reads[key]!.kvs.first?.modRevision ?? 0) }
    }

    private static func modRevision(of key: String, _ result: Etcdserverpb_Compare.CompareResult, _ revision: Int64) -> Etcdserverpb_Compare {
        var compare = Etcdserverpb_Compare()
        compare.key = Data(key.utf8)
        compare.target = .mod
        compare.result = result
        compare.modRevision = revision
        return compare
    }
}

extension EtcdClient {
    /// Runs `apply` as software transactional memory (clientv3's `concurrency.NewSTM`): reads through the
    /// transaction it is given, writes into it, and commits them as one etcd transaction; a commit that
    /// conflicts with another writer (as `isolation` defines it) runs `apply` again on fresh reads. `prefetch`
    /// is read before each attempt in one round trip. Returns the committed transaction's answer; an error
    /// `apply` throws (or a failed read or commit) ends it, committing nothing.
    @discardableResult
    public func stm(
        isolation: STMIsolation = .serializableSnapshot,
        prefetch: [String] = [],
        _ apply: (STMTransaction) async throws -> Void
    ) async throws -> Etcdserverpb_TxnResponse {
        let transaction = STMTransaction(client: self, isolation: isolation)
        while true {
            try Task.checkCancellation()
            transaction.reset()
            if !prefetch.isEmpty { _ = try await transaction.get(prefetch) }
            try await apply(transaction)
            if let committed = try await transaction.commit() { return committed }
        }
    }
}
