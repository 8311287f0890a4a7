import EtcdGRPC
import EtcdProto

extension JSONGateway {
    /// The paths of etcd 3.4's gateway, and those etcd 3.5 added (`maintenance/hashkv`, `maintenance/downgrade`,
    /// `auth/status`), with the service methods that answer them; `maintenance/hash` is `Hash`, as in 3.4.
    static func routes(_ services: ClientServices) -> [String: GatewayRoute] {
        typealias KV = Etcdserverpb_KV.Method
        typealias Lease = Etcdserverpb_Lease.Method
        typealias Cluster = Etcdserverpb_Cluster.Method
        typealias Maintenance = Etcdserverpb_Maintenance.Method
        typealias Lock = V3lockpb_Lock.Method
        typealias Election = V3electionpb_Election.Method
        typealias Auth = Etcdserverpb_Auth.Method
        let (kv, watch, lease, auth) = (services.kv, services.watch, services.lease, services.auth)
        let (cluster, maintenance) = (services.cluster, services.maintenance)
        let (lock, election) = (services.lock, services.election)
        var routes: [String: GatewayRoute] = [
            "/v3/kv/range": .unary(KV.Range.descriptor, kv.range(request:context:)),
            "/v3/kv/put": .unary(KV.Put.descriptor, kv.put(request:context:)),
            "/v3/kv/deleterange": .unary(KV.DeleteRange.descriptor, kv.deleteRange(request:context:)),
            "/v3/kv/txn": .unary(KV.Txn.descriptor, kv.txn(request:context:)),
            "/v3/kv/compaction": .unary(KV.Compact.descriptor, kv.compact(request:context:)),

            "/v3/watch": .bidirectional(
                Etcdserverpb_Watch.Method.Watch.descriptor,
                afterBody: .staysOpen,
                watch.watch(request:response:context:)
            ),

            "/v3/lease/grant": .unary(Lease.LeaseGrant.descriptor, lease.leaseGrant(request:context:)),
            "/v3/lease/revoke": .unary(Lease.LeaseRevoke.descriptor, lease.leaseRevoke(request:context:)),
            "/v3/lease/keepalive": .bidirectional(
                Lease.LeaseKeepAlive.descriptor,
                afterBody: .ends,
                lease.leaseKeepAlive(request:response:context:)
            ),
            "/v3/lease/timetolive": .unary(Lease.LeaseTimeToLive.descriptor, lease.leaseTimeToLive(request:context:)),
            "/v3/lease/leases": .unary(Lease.LeaseLeases.descriptor, lease.leaseLeases(request:context:)),

            "/v3/cluster/member/add": .unary(Cluster.MemberAdd.descriptor, cluster.memberAdd(request:context:)),
            "/v3/cluster/member/remove": .unary(Cluster.MemberRemove.descriptor, cluster.memberRemove(request:context:)),
            "/v3/cluster/member/update": .unary(Cluster.MemberUpdate.descriptor, cluster.memberUpdate(request:context:)),
            "/v3/cluster/member/list": .unary(Cluster.MemberList.descriptor, cluster.memberList(request:context:)),
            "/v3/cluster/member/promote": .unary(Cluster.MemberPromote.descriptor, cluster.memberPromote(request:context:)),

            "/v3/maintenance/alarm": .unary(Maintenance.Alarm.descriptor, maintenance.alarm(request:context:)),
            "/v3/maintenance/status": .unary(Maintenance.Status.descriptor, maintenance.status(request:context:)),
            "/v3/maintenance/defragment": .unary(Maintenance.Defragment.descriptor, maintenance.defragment(request:context:)),
            "/v3/maintenance/hash": .unary(Maintenance.Hash.descriptor, maintenance.hash(request:context:)),
            "/v3/maintenance/hashkv": .unary(Maintenance.HashKV.descriptor, maintenance.hashKV(request:context:)),
            "/v3/maintenance/snapshot": .serverStreaming(Maintenance.Snapshot.descriptor, maintenance.snapshot(request:response:context:)),
            "/v3/maintenance/transfer-leadership": .unary(
                Maintenance.MoveLeader.descriptor,
                maintenance.moveLeader(request:context:)
            ),
            "/v3/maintenance/downgrade": .unary(Maintenance.Downgrade.descriptor, maintenance.downgrade(request:context:)),

            "/v3/lock/lock": .unary(Lock.Lock.descriptor, lock.lock(request:context:)),
            "/v3/lock/unlock": .unary(Lock.Unlock.descriptor, lock.unlock(request:context:)),

            "/v3/election/campaign": .unary(Election.Campaign.descriptor, election.campaign(request:context:)),
            "/v3/election/proclaim": .unary(Election.Proclaim.descriptor, election.proclaim(request:context:)),
            "/v3/election/leader": .unary(Election.Leader.descriptor, election.leader(request:context:)),
            "/v3/election/observe": .serverStreaming(Election.Observe.descriptor, election.observe(request:response:context:)),
            "/v3/election/resign": .unary(Election.Resign.descriptor, election.resign(request:context:)),

            "/v3/auth/enable": .unary(Auth.AuthEnable.descriptor, auth.authEnable(request:context:)),
            "/v3/auth/disable": .unary(Auth.AuthDisable.descriptor, auth.authDisable(request:context:)),
            "/v3/auth/status": .unary(Auth.AuthStatus.descriptor, auth.authStatus(request:context:)),
            "/v3/auth/authenticate": .unary(Auth.Authenticate.descriptor, auth.authenticate(request:context:)),
            "/v3/auth/user/add": .unary(Auth.UserAdd.descriptor, auth.userAdd(request:context:)),
            "/v3/auth/user/get": .unary(Auth.UserGet.descriptor, auth.userGet(request:context:)),
            "/v3/auth/user/list": .unary(Auth.UserList.descriptor, auth.userList(request:context:)),
            "/v3/auth/user/delete": .unary(Auth.UserDelete.descriptor, auth.userDelete(request:context:)),
            "/v3/auth/user/changepw": .unary(Auth.UserChangePassword.descriptor, auth.userChangePassword(request:context:)),
            "/v3/auth/user/grant": .unary(Auth.UserGrantRole.descriptor, auth.userGrantRole(request:context:)),
            "/v3/auth/user/revoke": .unary(Auth.UserRevokeRole.descriptor, auth.userRevokeRole(request:context:)),
            "/v3/auth/role/add": .unary(Auth.RoleAdd.descriptor, auth.roleAdd(request:context:)),
            "/v3/auth/role/get": .unary(Auth.RoleGet.descriptor, auth.roleGet(request:context:)),
            "/v3/auth/role/list": .unary(Auth.RoleList.descriptor, auth.roleList(request:context:)),
            "/v3/auth/role/delete": .unary(Auth.RoleDelete.descriptor, auth.roleDelete(request:context:)),
            "/v3/auth/role/grant": .unary(Auth.RoleGrantPermission.descriptor, auth.roleGrantPermission(request:context:)),
            "/v3/auth/role/revoke": .unary(Auth.RoleRevokePermission.descriptor, auth.roleRevokePermission(request:context:)),
        ]
        // The aliases etcd's gateway also serves.
        routes["/v3/kv/lease/revoke"] = routes["/v3/lease/revoke"]
        routes["/v3/kv/lease/timetolive"] = routes["/v3/lease/timetolive"]
        routes["/v3/kv/lease/leases"] = routes["/v3/lease/leases"]
        return routes
    }
}
