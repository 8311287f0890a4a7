import EtcdGRPC
import GRPCCore
import Telemetry

/// The gRPC methods the client port serves, by HTTP/2 path (`/etcdserverpb.KV/Range`).
public struct GRPCMethodTable: Sendable {
    let methods: [String: GRPCMethod]
    /// Where calls are counted by the client's API version (`etcd_server_client_requests_total`).
    let requests: RequestMetrics?

    /// etcd's KV, Watch, Lease, Cluster, Maintenance, Auth, Lock and Election services, answered by `services`, counted
    /// in `metrics` and, by the client's API version, in `requests`.
    public init(services: ClientServices, metrics: GRPCServerMetrics?, requests: RequestMetrics? = nil) {
        self.requests = requests
        typealias KV = Etcdserverpb_KV.Method
        typealias Lease = Etcdserverpb_Lease.Method
        typealias Cluster = Etcdserverpb_Cluster.Method
        typealias Maintenance = Etcdserverpb_Maintenance.Method
        typealias Lock = V3lockpb_Lock.Method
        typealias Election = V3electionpb_Election.Method
        typealias Auth = Etcdserverpb_Auth.Method
        let (kv, lease, cluster, maintenance) = (services.kv, services.lease, services.cluster, services.maintenance)
        let auth = services.auth
        let (lock, election) = (services.lock, services.election)
        let entries: [(path: String, method: GRPCMethod)] = [
            GRPCMethod.unaryEncoding(KV.Range.descriptor, metrics: metrics, kv.serializedRange(request:context:)),
            GRPCMethod.unary(KV.Put.descriptor, metrics: metrics, kv.put(request:context:)),
            GRPCMethod.unary(KV.DeleteRange.descriptor, metrics: metrics, kv.deleteRange(request:context:)),
            GRPCMethod.unary(KV.Txn.descriptor, metrics: metrics, kv.txn(request:context:)),
            GRPCMethod.unary(KV.Compact.descriptor, metrics: metrics, kv.compact(request:context:)),
            GRPCMethod.bidirectionalEncoding(Etcdserverpb_Watch.Method.Watch.descriptor, metrics: metrics, services.watch.watch(requests:sink:)),
            GRPCMethod.unary(Lease.LeaseGrant.descriptor, metrics: metrics, lease.leaseGrant(request:context:)),
            GRPCMethod.unary(Lease.LeaseRevoke.descriptor, metrics: metrics, lease.leaseRevoke(request:context:)),
            GRPCMethod.bidirectional(Lease.LeaseKeepAlive.descriptor, metrics: metrics, lease.leaseKeepAlive(request:response:context:)),
            GRPCMethod.unary(Lease.LeaseTimeToLive.descriptor, metrics: metrics, lease.leaseTimeToLive(request:context:)),
            GRPCMethod.unary(Lease.LeaseLeases.descriptor, metrics: metrics, lease.leaseLeases(request:context:)),
            GRPCMethod.unary(Cluster.MemberAdd.descriptor, metrics: metrics, cluster.memberAdd(request:context:)),
            GRPCMethod.unary(Cluster.MemberRemove.descriptor, metrics: metrics, cluster.memberRemove(request:context:)),
            GRPCMethod.unary(Cluster.MemberUpdate.descriptor, metrics: metrics, cluster.memberUpdate(request:context:)),
            GRPCMethod.unary(Cluster.MemberList.descriptor, metrics: metrics, cluster.memberList(request:context:)),
            GRPCMethod.unary(Cluster.MemberPromote.descriptor, metrics: metrics, cluster.memberPromote(request:context:)),
            GRPCMethod.unary(Maintenance.Alarm.descriptor, metrics: metrics, maintenance.alarm(request:context:)),
            GRPCMethod.unary(Maintenance.Status.descriptor, metrics: metrics, maintenance.status(request:context:)),
            GRPCMethod.unary(Maintenance.Defragment.descriptor, metrics: metrics, maintenance.defragment(request:context:)),
            GRPCMethod.unary(Maintenance.Hash.descriptor, metrics: metrics, blocking: true, maintenance.hash(request:context:)),
            GRPCMethod.unary(Maintenance.HashKV.descriptor, metrics: metrics, blocking: true, maintenance.hashKV(request:context:)),
            GRPCMethod.serverStreaming(Maintenance.Snapshot.descriptor, metrics: metrics, maintenance.snapshot(request:response:context:)),
            GRPCMethod.unary(Maintenance.MoveLeader.descriptor, metrics: metrics, maintenance.moveLeader(request:context:)),
            GRPCMethod.unary(Maintenance.Downgrade.descriptor, metrics: metrics, maintenance.downgrade(request:context:)),
            GRPCMethod.unary(Lock.Lock.descriptor, metrics: metrics, lock.lock(request:context:)),
            GRPCMethod.unary(Lock.Unlock.descriptor, metrics: metrics, lock.unlock(request:context:)),
            GRPCMethod.unary(Election.Campaign.descriptor, metrics: metrics, election.campaign(request:context:)),
            GRPCMethod.unary(Election.Proclaim.descriptor, metrics: metrics, election.proclaim(request:context:)),
            GRPCMethod.unary(Election.Leader.descriptor, metrics: metrics, election.leader(request:context:)),
            GRPCMethod.serverStreaming(Election.Observe.descriptor, metrics: metrics, election.observe(request:response:context:)),
            GRPCMethod.unary(Election.Resign.descriptor, metrics: metrics, election.resign(request:context:)),
            GRPCMethod.unary(Auth.AuthEnable.descriptor, metrics: metrics, auth.authEnable(request:context:)),
            GRPCMethod.unary(Auth.AuthDisable.descriptor, metrics: metrics, auth.authDisable(request:context:)),
            GRPCMethod.unary(Auth.AuthStatus.descriptor, metrics: metrics, auth.authStatus(request:context:)),
            GRPCMethod.unary(Auth.Authenticate.descriptor, metrics: metrics, auth.authenticate(request:context:)),
            GRPCMethod.unary(Auth.UserAdd.descriptor, metrics: metrics, auth.userAdd(request:context:)),
            GRPCMethod.unary(Auth.UserGet.descriptor, metrics: metrics, auth.userGet(request:context:)),
            GRPCMethod.unary(Auth.UserList.descriptor, metrics: metrics, auth.userList(request:context:)),
            GRPCMethod.unary(Auth.UserDelete.descriptor, metrics: metrics, auth.userDelete(request:context:)),
            GRPCMethod.unary(Auth.UserChangePassword.descriptor, metrics: metrics, auth.userChangePassword(request:context:)),
            GRPCMethod.unary(Auth.UserGrantRole.descriptor, metrics: metrics, auth.userGrantRole(request:context:)),
            GRPCMethod.unary(Auth.UserRevokeRole.descriptor, metrics: metrics, auth.userRevokeRole(request:context:)),
            GRPCMethod.unary(Auth.RoleAdd.descriptor, metrics: metrics, auth.roleAdd(request:context:)),
            GRPCMethod.unary(Auth.RoleGet.descriptor, metrics: metrics, auth.roleGet(request:context:)),
            GRPCMethod.unary(Auth.RoleList.descriptor, metrics: metrics, auth.roleList(request:context:)),
            GRPCMethod.unary(Auth.RoleDelete.descriptor, metrics: metrics, auth.roleDelete(request:context:)),
            GRPCMethod.unary(Auth.RoleGrantPermission.descriptor, metrics: metrics, auth.roleGrantPermission(request:context:)),
            GRPCMethod.unary(Auth.RoleRevokePermission.descriptor, metrics: metrics, auth.roleRevokePermission(request:context:)),
        ]
        self.methods = Dictionary(uniqueKeysWithValues: entries.map { ($0.path, $0.method) })
    }
}

/// The services of the client API, shared by the gRPC side and the JSON gateway.
public struct ClientServices: Sendable {
    public let kv: KVService
    public let watch: WatchService
    public let lease: LeaseService
    public let cluster: ClusterService
    public let maintenance: MaintenanceService
    public let lock: LockService
    public let election: ElectionService
    public let auth: AuthService

    /// Groups the eight services.
    public init(
        kv: KVService,
        watch: WatchService,
        lease: LeaseService,
        cluster: ClusterService,
        maintenance: MaintenanceService,
        lock: LockService,
        election: ElectionService,
        auth: AuthService
    ) {
        self.kv = kv
        self.watch = watch
        self.lease = lease
        self.cluster = cluster
        self.maintenance = maintenance
        self.lock = lock
        self.election = election
        self.auth = auth
    }
}
