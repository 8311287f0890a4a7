import EtcdProto

/// What one request needs on the key space, checked with ``AuthStore/check(_:key:rangeEnd:as:)``: etcd's
/// rules with its later fixes (nested transactions and a transaction's puts checked in full, a watch's
/// from-key range checked as asked).
public struct PermissionNeed: Sendable, Hashable {
    public var access: Access
    public var key: [UInt8]
    public var rangeEnd: [UInt8]

    public init(_ access: Access, key: [UInt8], rangeEnd: [UInt8] = []) {
        self.access = access
        self.key = key
        self.rangeEnd = rangeEnd
    }
}

/// The needs of each kind of request; `leaseKeys` gives the keys attached to a lease (a put onto a lease,
/// and a lease's revocation, need WRITE on each of them).
public struct RequestPermissions: Sendable {
    public let leaseKeys: @Sendable (Int64) -> [[UInt8]]

    public init(leaseKeys: @escaping @Sendable (Int64) -> [[UInt8]]) {
        self.leaseKeys = leaseKeys
    }

    public func range(_ request: Etcdserverpb_RangeRequest) -> [PermissionNeed] {
        [PermissionNeed(.read, key: [UInt8](request.key), rangeEnd: [UInt8](request.rangeEnd))]
    }

    public func put(_ request: Etcdserverpb_PutRequest) -> [PermissionNeed] {
        let key = [UInt8](request.key)
        var needs = [PermissionNeed(.write, key: key)]
        if request.prevKv { needs.append(PermissionNeed(.read, key: key)) }
        if request.lease != 0 { needs += self.leaseKeys(request.lease).map { PermissionNeed(.write, key: $0) } }
        return needs
    }

    public func deleteRange(_ request: Etcdserverpb_DeleteRangeRequest) -> [PermissionNeed] {
        let key = [UInt8](request.key)
        let end = [UInt8](request.rangeEnd)
        var needs = [PermissionNeed(.write, key: key, rangeEnd: end)]
        if request.prevKv { needs.append(PermissionNeed(.read, key: key, rangeEnd: end)) }
        return needs
    }

    /// Every compare's range, and every operation of both branches whatever the compares decide, nested
    /// transactions included.
    public func txn(_ request: Etcdserverpb_TxnRequest) -> [PermissionNeed] {
        var needs = request.compare.map { PermissionNeed(.read, key: [UInt8]($0.key), rangeEnd: [UInt8]($0.rangeEnd)) }
        for operation in [request.success, request.failure].joined() {
            switch operation.request {
            case .requestRange(let range): needs += self.range(range)
            case .requestPut(let put): needs += self.put(put)
            case .requestDeleteRange(let delete): needs += self.deleteRange(delete)
            case .requestTxn(let nested): needs += self.txn(nested)
            case .none: break
            }
        }
        return needs
    }

    public func leaseRevoke(_ request: Etcdserverpb_LeaseRevokeRequest) -> [PermissionNeed] {
        self.leaseKeys(request.id).map { PermissionNeed(.write, key: $0) }
    }

    public func watch(_ request: Etcdserverpb_WatchCreateRequest) -> [PermissionNeed] {
        [PermissionNeed(.read, key: [UInt8](request.key), rangeEnd: [UInt8](request.rangeEnd))]
    }
}

extension AuthStore {
    /// Checks every need of a request; the first refusal is the answer. A request with no needs (a lease
    /// without keys revoked, an empty transaction) passes, as in etcd.
    public func check(_ needs: [PermissionNeed], as identity: AuthIdentity?) throws(EtcdError) {
        for need in needs {
            try self.check(need.access, key: need.key, rangeEnd: need.rangeEnd, as: identity)
        }
    }
}
