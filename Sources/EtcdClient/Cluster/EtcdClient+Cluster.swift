import EtcdGRPC
import EtcdProto
import GRPCCore

/// The Cluster service: the membership.
extension EtcdClient {
    /// The members; `linearizable` asks the leader's view (etcd 3.5).
    public func memberList(linearizable: Bool = false, timeout: Duration? = nil) async throws(EtcdError) -> Etcdserverpb_MemberListResponse {
        var request = Etcdserverpb_MemberListRequest()
        request.linearizable = linearizable
        return try await self.unary(.idempotent, timeout: timeout) { [request] client, options in
            try await Etcdserverpb_Cluster.Client(wrapping: client).memberList(request, options: options)
        }
    }

    /// Adds a member with `peerURLs`, as a learner when asked.
    public func memberAdd(peerURLs: [String], isLearner: Bool = false, timeout: Duration? = nil) async throws(EtcdError)
        -> Etcdserverpb_MemberAddResponse
    {
        var request = Etcdserverpb_MemberAddRequest()
        request.peerUrls = peerURLs
        request.isLearner = isLearner
        return try await self.unary(.mutation, timeout: timeout) { [request] client, options in
            try await Etcdserverpb_Cluster.Client(wrapping: client).memberAdd(request, options: options)
        }
    }

    /// Removes member `id`.
    public func memberRemove(_ id: UInt64, timeout: Duration? = nil) async throws(EtcdError) -> Etcdserverpb_MemberRemoveResponse {
        var request = Etcdserverpb_MemberRemoveRequest()
        request.id = id
        return try await self.unary(.mutation, timeout: timeout) { [request] client, options in
            try await Etcdserverpb_Cluster.Client(wrapping: client).memberRemove(request, options: options)
        }
    }

    /// Gives member `id` new peer URLs.
    public func memberUpdate(_ id: UInt64, peerURLs: [String], timeout: Duration? = nil) async throws(EtcdError)
        -> Etcdserverpb_MemberUpdateResponse
    {
        var request = Etcdserverpb_MemberUpdateRequest()
        request.id = id
        request.peerUrls = peerURLs
        return try await self.unary(.mutation, timeout: timeout) { [request] client, options in
            try await Etcdserverpb_Cluster.Client(wrapping: client).memberUpdate(request, options: options)
        }
    }

    /// Promotes learner `id` to voter (refused until it has caught up).
    public func memberPromote(_ id: UInt64, timeout: Duration? = nil) async throws(EtcdError) -> Etcdserverpb_MemberPromoteResponse {
        var request = Etcdserverpb_MemberPromoteRequest()
        request.id = id
        return try await self.unary(.mutation, timeout: timeout) { [request] client, options in
            try await Etcdserverpb_Cluster.Client(wrapping: client).memberPromote(request, options: options)
        }
    }
}
