import EtcdProto
import Foundation
import Membership
import Raft

extension EtcdServer {
    /// etcd's `MemberList`; linearizable when asked (etcd 3.5).
    public func memberList(_ request: Etcdserverpb_MemberListRequest) async throws -> Etcdserverpb_MemberListResponse {
        if request.linearizable { try await self.linearizableRead() }
        var response = Etcdserverpb_MemberListResponse()
        response.members = self.membership.sortedMembers.map(\.apiMember)
        response.header = self.header(revision: 0)
        return response
    }

    /// etcd's `MemberAdd`: a new member (voter or learner) with an id derived from its peer URLs, the
    /// cluster token's stand-in (the cluster id) and the time, so that re-adding gives a new id.
    public func memberAdd(_ request: Etcdserverpb_MemberAddRequest) async throws -> Etcdserverpb_MemberAddResponse {
        try await self.checkAdmin()
        let peerURLs = try Self.validatedPeerURLs(request.peerUrls)
        let id = MemberIdentity.memberID(
            peerURLs: peerURLs,
            clusterToken: String(self.clusterID, radix: 16),
            addedAtUnixSeconds: Int64(Date().timeIntervalSince1970)
        )
        let member = Member(id: id, peerURLs: peerURLs, isLearner: request.isLearner)
        try self.membership.validate(.add(member))
        if !request.isLearner { try self.checkQuorumAfterAddingVoter() }
        let members = try await self.proposeMembership(
            ConfChange(kind: request.isLearner ? .addLearner : .addVoter, nodeID: id, context: try member.record.serializedBytes())
        )
        var response = Etcdserverpb_MemberAddResponse()
        response.member = member.apiMember
        response.members = members
        response.header = self.header(revision: 0)
        return response
    }

    /// etcd's `MemberRemove`.
    public func memberRemove(_ request: Etcdserverpb_MemberRemoveRequest) async throws -> Etcdserverpb_MemberRemoveResponse {
        try await self.checkAdmin()
        try self.membership.validate(.remove(id: request.id))
        try self.checkQuorumAfterRemoving(request.id)
        var response = Etcdserverpb_MemberRemoveResponse()
        response.members = try await self.proposeMembership(ConfChange(kind: .remove, nodeID: request.id))
        response.header = self.header(revision: 0)
        return response
    }

    /// etcd's `MemberUpdate`: new peer URLs for a member.
    public func memberUpdate(_ request: Etcdserverpb_MemberUpdateRequest) async throws -> Etcdserverpb_MemberUpdateResponse {
        try await self.checkAdmin()
        let peerURLs = try Self.validatedPeerURLs(request.peerUrls)
        try self.membership.validate(.update(id: request.id, peerURLs: peerURLs))
        var record = Memberpb_MemberRecord()
        record.id = request.id
        record.peerUrls = peerURLs
        var response = Etcdserverpb_MemberUpdateResponse()
        response.members = try await self.proposeMembership(
            ConfChange(kind: .update, nodeID: request.id, context: try record.serializedBytes())
        )
        response.header = self.header(revision: 0)
        return response
    }

    /// etcd's `MemberPromote`: refused until the learner's log holds 90% of the leader's. Counted in
    /// etcd's learner promotion metrics by the member that served it (etcd forwards a follower's request
    /// to the leader, which counts it there; the cluster's sum is the same).
    public func memberPromote(_ request: Etcdserverpb_MemberPromoteRequest) async throws -> Etcdserverpb_MemberPromoteResponse {
        let members: [Etcdserverpb_Member]
        do {
            try await self.checkAdmin()
            try self.membership.validate(.promote(id: request.id))
            var question = Memberpb_LeaderRequest()
            question.learnerProgress = request.id
            guard try await self.askLeader(question).learnerReady else { throw EtcdError.learnerNotReady }
            members = try await self.proposeMembership(ConfChange(kind: .addVoter, nodeID: request.id))
        } catch {
            self.configuration.metrics.server.recordLearnerPromoteFailure(reason: "\(error)")
            throw error
        }
        self.configuration.metrics.server.learnerPromoteSuccesses.increment()
        var response = Etcdserverpb_MemberPromoteResponse()
        response.members = members
        response.header = self.header(revision: 0)
        return response
    }

    /// Proposes a membership change and returns the members once it is applied.
    private func proposeMembership(_ change: ConfChange) async throws -> [Etcdserverpb_Member] {
        var change = change
        let id = self.requestIDs.next()
        change.id = id
        let result = try await self.proposals.propose(.proposeConfChange(id: id, change: change), id: id)
        switch result {
        case .membership(let members): return members
        case .failure(let error): throw error
        default: throw Self.unexpectedResult
        }
    }

    /// With `--strict-reconfig-check`, adding a voter must leave enough started voters for a quorum, except
    /// that one started member may always take a second (etcd's rule: how a cluster grows from one member).
    private func checkQuorumAfterAddingVoter() throws {
        guard self.configuration.strictReconfigCheck else { return }
        let voters = self.membership.members.values.filter { !$0.isLearner }
        let started = voters.filter(\.isStarted).count
        if started == 1 && voters.count == 1 { return }
        if started < (voters.count + 1) / 2 + 1 { throw EtcdError.memberNotEnoughStarted }
    }

    /// With `--strict-reconfig-check`, removing a voter must leave enough started voters for a quorum.
    private func checkQuorumAfterRemoving(_ id: UInt64) throws {
        guard self.configuration.strictReconfigCheck, let member = self.membership.members[id], !member.isLearner else {
            return
        }
        let remaining = self.membership.members.values.filter { !$0.isLearner && $0.id != id }
        let started = remaining.filter(\.isStarted).count
        if started < remaining.count / 2 + 1 { throw EtcdError.memberNotEnoughStarted }
    }

    private static func validatedPeerURLs(_ urls: [String]) throws -> [String] {
        guard !urls.isEmpty else { throw EtcdError.memberBadURLs }
        for url in urls {
            guard url.hasPrefix("http://") || url.hasPrefix("https://"),
                let colon = url.lastIndex(of: ":"), Int(url[url.index(after: colon)...]) != nil
            else { throw EtcdError.memberBadURLs }
        }
        return urls.sorted()
    }
}
