import EtcdProto
import MVCC

extension EtcdServer {
    /// etcd's `Range`: linearizable (after a read-index round) unless `serializable`.
    public func range(_ request: Etcdserverpb_RangeRequest) async throws -> Etcdserverpb_RangeResponse {
        var response = try await self.servingRange(request) { stores in try stores.kv.range(request) }
        response.header = self.header(revision: response.header.revision)
        return response
    }

    /// etcd's `Range` as the serialized response, its key-values copied as stored where the request
    /// allows (see `EncodedRangeResponse`), for the gRPC wire.
    public func serializedRange(_ request: Etcdserverpb_RangeRequest) async throws -> [UInt8] {
        let response = try await self.servingRange(request) { stores in try stores.kv.encodedRange(request) }
        return try response.serializedBytes(header: self.header(revision: response.revision))
    }

    /// Serves a range read as etcd does: the request checked, a read-index round unless it is
    /// serializable, the caller's permission checked before the read and again after it.
    private func servingRange<T>(_ request: Etcdserverpb_RangeRequest, _ read: (StateStores) throws -> T) async throws -> T {
        try Self.checked { try KVRequestValidation.check(request) }
        if !request.serializable { try await self.linearizableRead() }
        let identity = try await self.checkPermissions(self.stores.requestPermissions.range(request))
        let result = try self.reading(read)
        try self.recheck(identity)
        return result
    }

    /// etcd's `Put`.
    public func put(_ request: Etcdserverpb_PutRequest) async throws -> Etcdserverpb_PutResponse {
        try Self.checked { try KVRequestValidation.check(request) }
        var proposal = Memberpb_InternalRequest()
        proposal.put = request
        guard case .put(var response) = try await self.propose(proposal) else { throw Self.unexpectedResult }
        response.header = self.header(revision: response.header.revision)
        return response
    }

    /// etcd's `DeleteRange`.
    public func deleteRange(_ request: Etcdserverpb_DeleteRangeRequest) async throws -> Etcdserverpb_DeleteRangeResponse {
        try Self.checked { try KVRequestValidation.check(request) }
        var proposal = Memberpb_InternalRequest()
        proposal.deleteRange = request
        guard case .deleteRange(var response) = try await self.propose(proposal) else { throw Self.unexpectedResult }
        response.header = self.header(revision: response.header.revision)
        return response
    }

    /// etcd's `Txn`. A transaction that only reads is served like a linearizable range, without the log.
    public func txn(_ request: Etcdserverpb_TxnRequest) async throws -> Etcdserverpb_TxnResponse {
        try Self.checked { try KVRequestValidation.check(request, maxTxnOps: self.configuration.maxTxnOps) }
        if KVApplier.isReadOnly(request) {
            try await self.linearizableRead()
            let identity = try await self.checkPermissions(self.stores.requestPermissions.txn(request))
            var response = try self.reading { stores in try stores.kv.txn(request) }
            try self.recheck(identity)
            response.header = self.header(revision: response.header.revision)
            return response
        }
        var proposal = Memberpb_InternalRequest()
        proposal.txn = request
        guard case .txn(var response) = try await self.propose(proposal) else { throw Self.unexpectedResult }
        response.header = self.header(revision: response.header.revision)
        return response
    }

    /// etcd's `Compact`; with `physical` it returns once the compacted revisions are gone from the backend.
    public func compact(_ request: Etcdserverpb_CompactionRequest) async throws -> Etcdserverpb_CompactionResponse {
        var proposal = Memberpb_InternalRequest()
        proposal.compaction = request
        guard case .compaction(var response, let ticket) = try await self.propose(proposal) else {
            throw Self.unexpectedResult
        }
        if request.physical { _ = await ticket.wait() }
        response.header = self.header(revision: response.header.revision)
        return response
    }

    /// A new watch stream on this member's store; it ends when the store is replaced or closed.
    public func makeWatchStream() -> WatchStream {
        self.stores.store.makeWatchStream()
    }

    /// Runs a read of the current stores, borrowed for its length (a snapshot installed meanwhile closes
    /// them only afterwards), turning a store error into the client-facing one.
    func reading<T>(_ body: (StateStores) throws -> T) throws -> T {
        try self.stateMachine.reading { stores in try Self.checked { try body(stores) } }
    }

    /// Runs a store call, turning its error into the client-facing one.
    static func checked<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as KVError {
            throw EtcdError(error)
        }
    }

    /// The apply loop answered a request with the result of another kind: a broken invariant.
    static let unexpectedResult = EtcdError(.internalError, "etcdserver: unexpected apply result")
}
