import EtcdGRPC
import EtcdProto
import Foundation
import GRPCCore
import Synchronization

/// Calls of the Lock and Election services and what the tests around them need: leases, the keys under a
/// name, a call's failure, a call still waiting.
extension EndpointClients {
    /// Grants lease `id` with `ttl` seconds through the member at `port`.
    @discardableResult
    func grant(_ id: Int64, ttl: Int64 = 60, port: Int) async throws -> Int64 {
        var request = Etcdserverpb_LeaseGrantRequest()
        request.id = id
        request.ttl = ttl
        return try await self.lease(port).leaseGrant(request).id
    }

    /// Revokes lease `id`; returns the revision of the revocation.
    @discardableResult
    func revoke(_ id: Int64, port: Int) async throws -> Int64 {
        var request = Etcdserverpb_LeaseRevokeRequest()
        request.id = id
        return try await self.lease(port).leaseRevoke(request).header.revision
    }

    /// `Lock` of `name` with `lease`, waiting at most `timeout`.
    func lock(_ name: String, lease: Int64, port: Int, timeout: Duration = .seconds(30)) async throws -> V3lockpb_LockResponse {
        var request = V3lockpb_LockRequest()
        request.name = Data(name.utf8)
        request.lease = lease
        var options = CallOptions.defaults
        options.timeout = timeout
        return try await self.lock(port).lock(request, options: options)
    }

    /// `Unlock` of `key`; returns the header revision.
    @discardableResult
    func unlock(_ key: Data, port: Int) async throws -> Int64 {
        var request = V3lockpb_UnlockRequest()
        request.key = key
        return try await self.lock(port).unlock(request).header.revision
    }

    /// `Campaign` in `name` with `lease` and `value`, waiting at most `timeout`.
    func campaign(
        _ name: String,
        lease: Int64,
        value: String,
        port: Int,
        timeout: Duration = .seconds(30)
    ) async throws -> V3electionpb_CampaignResponse {
        var request = V3electionpb_CampaignRequest()
        request.name = Data(name.utf8)
        request.lease = lease
        request.value = Data(value.utf8)
        var options = CallOptions.defaults
        options.timeout = timeout
        return try await self.election(port).campaign(request, options: options)
    }

    /// `Leader` of `name`.
    func leader(_ name: String, port: Int) async throws -> V3electionpb_LeaderResponse {
        var request = V3electionpb_LeaderRequest()
        request.name = Data(name.utf8)
        return try await self.election(port).leader(request)
    }

    /// `Proclaim` of `value` by `leader` (none: the request has no leader key).
    func proclaim(_ value: String, by leader: V3electionpb_LeaderKey?, port: Int) async throws -> Int64 {
        var request = V3electionpb_ProclaimRequest()
        if let leader { request.leader = leader }
        request.value = Data(value.utf8)
        return try await self.election(port).proclaim(request).header.revision
    }

    /// `Resign` of `leader` (none: the request has no leader key); returns the header revision.
    @discardableResult
    func resign(_ leader: V3electionpb_LeaderKey?, port: Int) async throws -> Int64 {
        var request = V3electionpb_ResignRequest()
        if let leader { request.leader = leader }
        return try await self.election(port).resign(request).header.revision
    }

    /// The keys under `name/`, oldest first, read linearizably.
    func keys(under name: String, port: Int) async throws -> [Mvccpb_KeyValue] {
        var request = Etcdserverpb_RangeRequest()
        request.key = Data((name + "/").utf8)
        request.rangeEnd = Data((name + "0").utf8)
        request.sortTarget = .create
        return try await self.kv(port).range(request).kvs
    }
}

/// The gRPC failure `call` ended with; nil when it succeeded.
func rpcFailure(_ call: () async throws -> some Any) async -> RPCError? {
    do {
        _ = try await call()
        return nil
    } catch let error as RPCError {
        return error
    } catch {
        return RPCError(code: .unknown, message: "not an RPC error: \(error)")
    }
}

/// A call running in the background, whose answer the test can ask for once it has come.
final class PendingCall<Answer: Sendable>: Sendable {
    /// Set once the call has ended.
    private final class Flag: Sendable {
        let raised = Mutex(false)
    }

    private let task: Task<Answer, any Error>
    private let finished = Flag()

    /// Starts `call`.
    init(_ call: @escaping @Sendable () async throws -> Answer) {
        let finished = self.finished
        self.task = Task {
            defer { finished.raised.withLock { $0 = true } }
            return try await call()
        }
    }

    /// Whether the call has answered (or failed).
    var hasFinished: Bool { self.finished.raised.withLock { $0 } }

    /// The answer, waiting at most `timeout` for it.
    func answer(within timeout: Duration) async throws -> Answer {
        let deadline = ContinuousClock.now + timeout
        while !self.hasFinished, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        guard self.hasFinished else {
            self.task.cancel()
            throw StillWaiting(timeout: timeout)
        }
        return try await self.task.value
    }

    /// Cancels the call (a client giving up).
    func cancel() {
        self.task.cancel()
    }

    struct StillWaiting: Error, CustomStringConvertible {
        let timeout: Duration
        var description: String { "the call had not answered after \(self.timeout)" }
    }
}
