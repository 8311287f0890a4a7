import EtcdProto
import Foundation
import Synchronization

/// A leader election with clientv3's algorithm and keys (`prefix/<lease in hex>`, the oldest creation
/// leads, its value is the proclamation), so Swift and Go candidates (`etcdctl elect`) take part in the
/// same election.
public final class Election: Sendable {
    private struct Leadership {
        var key: String
        var revision: Int64
    }

    public let session: Session
    /// The prefix with clientv3's trailing slash.
    public let prefix: String
    private let leadership = Mutex<Leadership?>(nil)

    /// clientv3's errors.
    public static let notLeader = EtcdError(.failedPrecondition, "election: not leader")
    public static let noLeader = EtcdError(.notFound, "election: no leader")

    /// An election on `prefix` in which `session` campaigns.
    public init(session: Session, prefix: String) {
        self.session = session
        self.prefix = prefix + "/"
    }

    /// Waits until this session leads, proclaiming `value`. On failure the candidacy is withdrawn.
    @discardableResult
    public func campaign(_ value: String) async throws -> Etcdserverpb_ResponseHeader {
        let client = self.session.client
        let key = self.prefix + String(self.session.lease, radix: 16)
        var compare = Etcdserverpb_Compare()
        compare.key = Data(key.utf8)
        compare.target = .create
        compare.result = .equal
        compare.createRevision = 0
        var put = Etcdserverpb_PutRequest()
        put.key = Data(key.utf8)
        put.value = Data(value.utf8)
        put.lease = self.session.lease
        var txn = Etcdserverpb_TxnRequest()
        txn.compare = [compare]
        txn.success = [.put(put)]
        txn.failure = [.range(RangeRequests.key(Array(key.utf8)))]
        let answer = try await client.txn(txn)
        var revision = answer.header.revision
        self.leadership.withLock { $0 = Leadership(key: key, revision: revision) }
        if !answer.succeeded, let existing = answer.responses.first?.responseRange.kvs.first {
            revision = existing.createRevision
            self.leadership.withLock { $0 = Leadership(key: key, revision: revision) }
            if existing.value != Data(value.utf8) {
                do {
                    try await self.proclaim(value)
                } catch {
                    try? await self.resign()
                    throw error
                }
            }
        }
        do {
            _ = try await Waiting.deletions(under: self.prefix, createdBy: revision - 1, client: client)
        } catch {
            try? await self.resign()
            throw error
        }
        return answer.header
    }

    /// Changes the leader's value without an election; `notLeader` when this session does not lead.
    public func proclaim(_ value: String) async throws(EtcdError) {
        guard let leadership = self.leadership.withLock({ $0 }) else { throw Self.notLeader }
        var put = Etcdserverpb_PutRequest()
        put.key = Data(leadership.key.utf8)
        put.value = Data(value.utf8)
        put.lease = self.session.lease
        let answer = try await self.session.client.txn(self.ifStill(leadership, then: .put(put)))
        if !answer.succeeded {
            self.leadership.withLock { $0 = nil }
            throw Self.notLeader
        }
    }

    /// Gives up leadership (or the candidacy): deletes this session's key if it is still the one it made.
    public func resign() async throws(EtcdError) {
        guard let leadership = self.leadership.withLock({ $0 }) else { return }
        var delete = Etcdserverpb_DeleteRangeRequest()
        delete.key = Data(leadership.key.utf8)
        _ = try await self.session.client.txn(self.ifStill(leadership, then: .delete(delete)))
        self.leadership.withLock { $0 = nil }
    }

    /// The current leader's key-value (the oldest candidate); `noLeader` when there is none.
    public static func leader(prefix: String, client: EtcdClient) async throws(EtcdError) -> Mvccpb_KeyValue {
        guard let leader = try await client.range(Waiting.byCreation(prefix + "/", ascending: true)).kvs.first else {
            throw Election.noLeader
        }
        return leader
    }

    /// The leader's key-value each time it changes (a new leader, or a new proclamation), until the caller
    /// stops iterating.
    public static func observe(prefix: String, client: EtcdClient) -> AsyncThrowingStream<Mvccpb_KeyValue, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    var last: Mvccpb_KeyValue?
                    while !Task.isCancelled {
                        let answer = try await client.range(Waiting.byCreation(prefix + "/", ascending: true))
                        guard let leader = answer.kvs.first else {
                            try await Self.waitForCandidate(prefix: prefix, after: answer.header.revision, client: client)
                            continue
                        }
                        if leader != last { continuation.yield(leader) }
                        last = leader
                        try await Self.waitForChange(of: leader, after: answer.header.revision, client: client, continuation: continuation)
                        last = nil
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private static func waitForCandidate(prefix: String, after revision: Int64, client: EtcdClient) async throws {
        var options = WatchOptions.prefix(of: Array((prefix + "/").utf8))
        options.startRevision = revision + 1
        for try await response in client.watch(Array((prefix + "/").utf8), options: options) {
            if response.events.contains(where: { $0.type == .put }) { return }
        }
    }

    /// Yields the leader's new proclamations until its key is deleted.
    private static func waitForChange(
        of leader: Mvccpb_KeyValue,
        after revision: Int64,
        client: EtcdClient,
        continuation: AsyncThrowingStream<Mvccpb_KeyValue, any Error>.Continuation
    ) async throws {
        var options = WatchOptions()
        options.startRevision = revision + 1
        for try await response in client.watch([UInt8](leader.key), options: options) {
            for event in response.events {
                if event.type == .delete { return }
                continuation.yield(event.kv)
            }
        }
    }

    private func ifStill(_ leadership: Leadership, then operation: Etcdserverpb_RequestOp) -> Etcdserverpb_TxnRequest {
        var compare = Etcdserverpb_Compare()
        compare.key = Data(leadership.key.utf8)
        compare.target = .create
        compare.result = .equal
        compare.createRevision = leadership.revision
        var txn = Etcdserverpb_TxnRequest()
        txn.compare = [compare]
        txn.success = [operation]
        return txn
    }
}
