import EtcdProto
import Lease
import MVCC
import Raft

extension MemberStateMachine {
    /// Applies one client request from the log and hands the result to its proposer (if it is waiting on
    /// this member).
    func applyRequest(_ entry: Entry) {
        let request: Memberpb_InternalRequest
        do {
            request = try Memberpb_InternalRequest(serializedBytes: entry.data)
        } catch {
            preconditionFailure("undecodable request at index \(entry.index): \(error)")
        }
        let started = ContinuousClock.now
        let result = self.admit(request, index: entry.index)
        self.recordApply(of: request, result: result, took: ContinuousClock.now - started)
        self.proposals.complete(request.header.id, with: result)
    }

    /// Applies `request` unless a raised alarm forbids it. A request that grows the data while the backend
    /// is over its quota is applied all the same (every member must apply the same log) but answered
    /// with etcd's no-space error, as etcd's quota applier does.
    /// An active alarm's refusal comes first, then the auth check of the proposer, as in etcd's chain of
    /// appliers.
    private func admit(_ request: Memberpb_InternalRequest, index: UInt64) -> ApplyResult {
        let cost = BackendQuota.cost(of: request)
        if let refusal = self.alarmRefusal(of: request, cost: cost) { return .failure(refusal) }
        if let refusal = self.authRefusal(of: request) { return .failure(refusal) }
        let fits = self.quota.admits(costBytes: cost, backend: self.stores.backend)
        let result = self.dispatch(request, index: index)
        return fits ? result : self.overQuota(result)
    }

    private func dispatch(_ request: Memberpb_InternalRequest, index: UInt64) -> ApplyResult {
        let kv = self.stores.kv
        do {
            switch request.request {
            case .put(let put):
                return .put(try kv.put(put))
            case .deleteRange(let delete):
                return .deleteRange(try kv.deleteRange(delete))
            case .txn(let txn):
                return .txn(try kv.txn(txn))
            case .compaction(let compaction):
                let outcome = kv.compaction(compaction)
                return .compaction(try outcome.result.get(), outcome.physical)
            case .leaseGrant(let grant):
                let response = try kv.leaseGrant(grant)
                self.lessor.granted(id: response.id, ttlSeconds: response.ttl, now: .now)
                self.configuration.metrics.lease.grantedTotal.increment()
                self.configuration.metrics.lease.ttlSeconds.record(Double(response.ttl))
                return .leaseGrant(response)
            case .leaseRevoke(let revoke):
                let response = try kv.leaseRevoke(revoke)
                self.lessor.revoked(id: revoke.id)
                self.configuration.metrics.lease.revokedTotal.increment()
                return .leaseRevoke(response)
            case .leaseCheckpoint(let checkpoint):
                if self.configuration.leaseCheckpointPersist { _ = try kv.leaseCheckpoint(checkpoint) }
                for lease in checkpoint.checkpoints {
                    self.lessor.checkpointed(id: lease.id, remainingSeconds: lease.remainingTtl)
                }
                return .done
            case .memberAttributes(let attributes):
                self.membership.publish(id: attributes.memberID, name: attributes.name, clientURLs: attributes.clientUrls)
                if let member = self.membership.members[attributes.memberID] {
                    try self.write([self.stores.membership.write(member)])
                }
                self.publish()
                return .done
            case .alarm(let alarm):
                return .alarm(try self.applyAlarm(alarm))
            case .authUserAdd, .authUserDelete, .authUserChangePassword, .authUserGrantRole, .authUserRevokeRole,
                .authRoleAdd, .authRoleDelete, .authRoleGrantPermission, .authRoleRevokePermission, .authEnable, .authDisable:
                return try self.applyAuth(request)
            case .authenticate(let authenticate):
                return try self.applyAuthenticate(authenticate, index: index)
            case .range, .clusterVersion, .none:
                return .failure(EtcdError(.unimplemented, "etcdserver: this member cannot apply \(Self.kind(of: request))"))
            }
        } catch {
            switch ApplyFailure.classify(error) {
            case .refused(let refusal):
                return .failure(refusal)
            case .fatal(let reason):
                self.stop(because: reason)
            }
        }
    }

    /// Stops the member on an error it must not answer through (see ``ApplyFailure``): logged, then the
    /// process ends before the consistent index moves past the entry, and a restart replays it.
    func stop(because reason: String) -> Never {
        self.logger.critical("stopping the member: \(reason)")
        fatalError(reason)
    }

    private static func kind(of request: Memberpb_InternalRequest) -> String {
        request.request.map { "\($0)".split(separator: "(").first.map(String.init) ?? "request" } ?? "an empty request"
    }
}

extension EtcdError {
    /// The client-facing form of a store error: the same code and message.
    public init(_ error: KVError) {
        self.init(error.grpcCode, error.grpcMessage)
    }
}
