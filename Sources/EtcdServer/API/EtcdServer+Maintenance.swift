import Backend
import EtcdProto
import MVCC
import Telemetry
import Raft

extension KVStore {
    /// `hashKV(revision:)` as etcd's `HashKVResponse` (the store's revision in the header), timed in
    /// `etcd_mvcc_hash_rev_duration_seconds`; for clients and for peers' corruption checks alike.
    func hashKVResponse(revision: Int64, metrics: MVCCMetrics) throws(KVError) -> Etcdserverpb_HashKVResponse {
        let started = ContinuousClock.now
        let result = try self.hashKV(revision: revision)
        metrics.hashRevisionSeconds.record((ContinuousClock.now - started).inSeconds)
        var response = Etcdserverpb_HashKVResponse()
        response.hash = result.hash
        response.compactRevision = result.compactRevision
        response.header.revision = result.revision
        return response
    }
}

extension EtcdServer {
    /// etcd's `Status` of this member.
    public func status() async -> Etcdserverpb_StatusResponse {
        let stores = self.stores
        let leader = self.leader.current
        var response = Etcdserverpb_StatusResponse()
        response.version = EtcdVersion.server
        (response.dbSize, response.dbSizeInUse) = self.stateMachine.reading { stores in
            let size = stores.backend.sizeBytes()
            return (size, (try? stores.backend.sizeInUseBytes()) ?? size)
        }
        response.leader = leader.leader
        response.raftIndex = self.events.committedIndex.load(ordering: .relaxed)
        response.raftTerm = leader.term
        response.raftAppliedIndex = self.applyLoop.appliedIndex
        response.isLearner = self.membership.members[self.memberID]?.isLearner ?? false
        if leader.leader == .none { response.errors.append(EtcdError.noLeader.message) }
        response.errors += stores.alarms.alarms.map(\.compactText)
        response.header = self.header(revision: stores.store.currentRevision)
        return response
    }

    /// The alarms raised in the cluster, as this member has applied them.
    public var alarms: [Etcdserverpb_AlarmMember] {
        self.stores.alarms.alarms
    }

    /// etcd's `Alarm`: lists, raises or clears alarms through the log, so that every member agrees.
    public func alarm(_ request: Etcdserverpb_AlarmRequest) async throws -> Etcdserverpb_AlarmResponse {
        var proposal = Memberpb_InternalRequest()
        proposal.alarm = request
        guard case .alarm(var response) = try await self.propose(proposal) else { throw Self.unexpectedResult }
        response.header = self.header(revision: self.stores.store.currentRevision)
        return response
    }

    /// Raises `type` for `memberID` (0: not known which member), by default this one.
    func raiseAlarm(_ type: Etcdserverpb_AlarmType, for memberID: UInt64? = nil) async throws {
        var request = Etcdserverpb_AlarmRequest()
        request.action = .activate
        request.memberID = memberID ?? self.memberID
        request.alarm = type
        _ = try await self.alarm(request)
    }

    /// etcd's `Hash`: a checksum of the whole backend, leaving out what differs between healthy members.
    public func hash() throws -> Etcdserverpb_HashResponse {
        let started = ContinuousClock.now
        defer { self.configuration.metrics.mvcc.hashSeconds.record((ContinuousClock.now - started).inSeconds) }
        var response = Etcdserverpb_HashResponse()
        let revision: Int64
        (response.hash, revision) = try self.reading { stores in
            do throws(BackendError) {
                return (try stores.backend.hash(ignoring: KVStore.hashIgnoredKeys), stores.store.currentRevision)
            } catch {
                throw KVError.backend(error)
            }
        }
        response.header = self.header(revision: revision)
        return response
    }

    /// etcd's `HashKV`: a checksum of the key-value history up to a revision, equal on members holding the
    /// same history.
    public func hashKV(_ request: Etcdserverpb_HashKVRequest) throws -> Etcdserverpb_HashKVResponse {
        var response = try self.reading { stores in
            try stores.store.hashKVResponse(revision: request.revision, metrics: self.configuration.metrics.mvcc)
        }
        response.header = self.header(revision: response.header.revision)
        return response
    }

    /// etcd's `MoveLeader`: only the leader can hand leadership over, and only to a voter. Returns once the
    /// transferee leads.
    public func moveLeader(_ request: Etcdserverpb_MoveLeaderRequest) async throws -> Etcdserverpb_MoveLeaderResponse {
        guard self.leader.current.leader == self.memberID else { throw EtcdError.notLeader }
        guard let target = self.membership.members[request.targetID], !target.isLearner else {
            throw EtcdError.badLeaderTransferee
        }
        var response = Etcdserverpb_MoveLeaderResponse()
        response.header = self.header(revision: 0)
        if request.targetID == self.memberID { return response }
        self.submit(.transferLeadership(to: request.targetID))
        let deadline = ContinuousClock.now + self.configuration.requestTimeout
        while self.leader.current.leader != request.targetID {
            guard ContinuousClock.now < deadline else {
                throw EtcdError(.unavailable, "etcdserver: request timed out, leader transfer took too long")
            }
            try await Task.sleep(for: self.configuration.heartbeatInterval)
        }
        return response
    }
}
