import Auth
import EtcdProto
import Foundation
import Lease
import MVCC

extension EtcdServer {
    /// The shortest lease etcd grants: one and a half election timeouts, rounded up to whole seconds, so a
    /// lease cannot expire while a new leader is being elected.
    var minimumLeaseTTLSeconds: Int64 {
        let (seconds, attoseconds) = (self.configuration.electionTimeout * 3 / 2).components
        return seconds + (attoseconds > 0 ? 1 : 0)
    }

    /// etcd's `LeaseGrant`. A zero ID is replaced by a fresh one; a TTL below the minimum is raised to it.
    public func leaseGrant(_ request: Etcdserverpb_LeaseGrantRequest) async throws -> Etcdserverpb_LeaseGrantResponse {
        var request = request
        if request.ttl > LeaseIndex.maxTTLSeconds { throw EtcdError.leaseTTLTooLarge }
        request.ttl = max(request.ttl, self.minimumLeaseTTLSeconds)
        if request.id == 0 { request.id = Int64(bitPattern: self.requestIDs.next() & ((1 << 63) - 1)) }
        var proposal = Memberpb_InternalRequest()
        proposal.leaseGrant = request
        guard case .leaseGrant(var response) = try await self.propose(proposal) else { throw Self.unexpectedResult }
        response.header = self.header(revision: response.header.revision)
        return response
    }

    /// etcd's `LeaseRevoke`: deletes the lease and its keys.
    public func leaseRevoke(_ request: Etcdserverpb_LeaseRevokeRequest) async throws -> Etcdserverpb_LeaseRevokeResponse {
        var proposal = Memberpb_InternalRequest()
        proposal.leaseRevoke = request
        guard case .leaseRevoke(var response) = try await self.propose(proposal) else { throw Self.unexpectedResult }
        response.header = self.header(revision: response.header.revision)
        return response
    }

    /// One keep-alive of etcd's `LeaseKeepAlive` stream: the renewed TTL, or 0 for an unknown lease (as
    /// etcd answers). Renewed by the leader once it has confirmed it still leads; a follower forwards to it.
    public func leaseRenew(_ id: Int64) async throws -> Etcdserverpb_LeaseKeepAliveResponse {
        var request = Memberpb_LeaderRequest()
        request.leaseRenew = id
        let reply = try await self.askLeader(request)
        var response = Etcdserverpb_LeaseKeepAliveResponse()
        response.id = id
        response.ttl = max(0, reply.ttl)
        response.header = self.header(revision: self.stores.store.currentRevision)
        return response
    }

    /// etcd's `LeaseTimeToLive`, with the lease's keys when asked (then, with auth enabled, the caller must be
    /// allowed to read each of them, as etcd 3.4.26 and later check). An unknown lease answers TTL -1.
    public func leaseTimeToLive(_ request: Etcdserverpb_LeaseTimeToLiveRequest) async throws -> Etcdserverpb_LeaseTimeToLiveResponse {
        var question = Memberpb_LeaderRequest()
        question.leaseTimeToLive = request.id
        let reply = try await self.askLeader(question)
        var response = Etcdserverpb_LeaseTimeToLiveResponse()
        response.id = request.id
        response.ttl = reply.ttl
        response.grantedTtl = reply.ttl < 0 ? 0 : reply.grantedTtl
        if request.keys, reply.ttl >= 0 {
            let keys = (self.stores.leases.keys(of: request.id) ?? []).sorted { $0.lexicographicallyPrecedes($1) }
            try await self.checkPermissions(keys.map { PermissionNeed(.read, key: $0) })
            response.keys = keys.map { Data($0) }
        }
        response.header = self.header(revision: self.stores.store.currentRevision)
        return response
    }

    /// etcd's `LeaseLeases`: every lease this member knows.
    public func leaseLeases() -> Etcdserverpb_LeaseLeasesResponse {
        var response = Etcdserverpb_LeaseLeasesResponse()
        response.leases = self.stores.leases.list().map { record in
            var status = Etcdserverpb_LeaseStatus()
            status.id = record.id
            return status
        }
        response.header = self.header(revision: self.stores.store.currentRevision)
        return response
    }

    /// Asks the leader (itself when leading) a question only the leader can answer. Without a leader the
    /// caller waits for one, up to the request timeout, as etcd's lease forwarding does.
    func askLeader(_ request: Memberpb_LeaderRequest) async throws -> Memberpb_LeaderReply {
        let deadline = ContinuousClock.now + self.configuration.requestTimeout
        while ContinuousClock.now < deadline {
            let leader = self.leader.current
            if leader.leader == self.memberID {
                let reply = await self.answerLeaderQuery(request)
                if !reply.notLeader { return try Self.checked(reply) }
            } else if leader.leader != .none, let reply = try? await self.transport.askLeader(leader.leader, request),
                !reply.notLeader
            {
                return try Self.checked(reply)
            }
            try await Task.sleep(for: self.configuration.heartbeatInterval)
        }
        throw self.leader.hasLeader ? EtcdError.timeout : EtcdError.noLeader
    }

    private static func checked(_ reply: Memberpb_LeaderReply) throws -> Memberpb_LeaderReply {
        guard reply.error.isEmpty else { throw Self.error(inLeaderReply: reply.error) }
        return reply
    }
}
