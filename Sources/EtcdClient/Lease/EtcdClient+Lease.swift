import EtcdGRPC
import EtcdProto
import GRPCCore

/// The Lease service.
extension EtcdClient {
    /// Grants a lease of `ttl` seconds (an `id` of 0 lets the member choose one).
    public func grantLease(ttl: Int64, id: Int64 = 0, timeout: Duration? = nil) async throws(EtcdError) -> Etcdserverpb_LeaseGrantResponse {
        var request = Etcdserverpb_LeaseGrantRequest()
        request.ttl = ttl
        request.id = id
        return try await self.unary(.mutation, timeout: timeout) { [request] client, options in
            try await Etcdserverpb_Lease.Client(wrapping: client).leaseGrant(request, options: options)
        }
    }

    /// Revokes lease `id`, deleting its keys.
    public func revokeLease(_ id: Int64, timeout: Duration? = nil) async throws(EtcdError) -> Etcdserverpb_LeaseRevokeResponse {
        var request = Etcdserverpb_LeaseRevokeRequest()
        request.id = id
        return try await self.unary(.mutation, timeout: timeout) { [request] client, options in
            try await Etcdserverpb_Lease.Client(wrapping: client).leaseRevoke(request, options: options)
        }
    }

    /// The granted and remaining TTL of lease `id` (TTL -1 when it does not exist), with its keys when asked.
    public func leaseTimeToLive(_ id: Int64, keys: Bool = false, timeout: Duration? = nil) async throws(EtcdError)
        -> Etcdserverpb_LeaseTimeToLiveResponse
    {
        var request = Etcdserverpb_LeaseTimeToLiveRequest()
        request.id = id
        request.keys = keys
        return try await self.unary(.idempotent, timeout: timeout) { [request] client, options in
            try await Etcdserverpb_Lease.Client(wrapping: client).leaseTimeToLive(request, options: options)
        }
    }

    /// Every lease the member knows.
    public func leases(timeout: Duration? = nil) async throws(EtcdError) -> Etcdserverpb_LeaseLeasesResponse {
        try await self.unary(.idempotent, timeout: timeout) { client, options in
            try await Etcdserverpb_Lease.Client(wrapping: client).leaseLeases(Etcdserverpb_LeaseLeasesRequest(), options: options)
        }
    }

    /// Renews lease `id` once; the answer's TTL is 0 when the lease no longer exists.
    public func keepAliveOnce(_ id: Int64, timeout: Duration? = nil) async throws(EtcdError) -> Etcdserverpb_LeaseKeepAliveResponse {
        var request = Etcdserverpb_LeaseKeepAliveRequest()
        request.id = id
        return try await self.unary(.idempotent, timeout: timeout) { [request] client, options in
            try await Etcdserverpb_Lease.Client(wrapping: client).leaseKeepAlive(
                options: options,
                requestProducer: { writer in try await writer.write(request) }
            ) { response in
                for try await message in response.messages { return message }
                throw EtcdError(.unavailable, "etcdserver: the keep-alive stream ended without an answer")
            }
        }
    }

    /// Keeps lease `id` alive until the caller stops iterating (or cancels): a renewal every third of its
    /// TTL, over one stream, opened again on another member when one goes away. Each renewal's answer is
    /// yielded; the sequence ends with ``EtcdError/leaseExpired`` when the member says the lease is gone
    /// or no renewal succeeded within the lease's TTL.
    public func keepAlive(_ id: Int64) -> AsyncThrowingStream<Etcdserverpb_LeaseKeepAliveResponse, any Error> {
        let (stream, continuation) = AsyncThrowingStream<Etcdserverpb_LeaseKeepAliveResponse, any Error>.makeStream()
        let keeper = LeaseKeeper(client: self, id: id, continuation: continuation)
        let task = Task { await keeper.run() }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}

extension EtcdError {
    /// clientv3's error for a keep-alive whose lease is gone.
    public static let leaseExpired = EtcdError(.notFound, "etcdserver: requested lease not found")
}
