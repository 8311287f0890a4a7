import Auth
import Backend
import EtcdProto
import SwiftProtobuf

extension MemberStateMachine {
    /// Applies an auth management request to the auth store and records what it changed in the same batch.
    /// Passwords arrive hashed (the proposer hashed them off the event loop; no plaintext is in the log).
    func applyAuth(_ request: Memberpb_InternalRequest) throws -> ApplyResult {
        let auth = self.stores.auth
        let response: any SwiftProtobuf.Message & Sendable
        let mutations: [Mutation]
        switch request.request {
        case .authUserAdd(let add):
            let hash = Array(add.hashedPassword.utf8)
            mutations = try auth.apply { (store) throws(EtcdError) in try store.addUser(add.name, passwordHash: hash, noPassword: add.options.noPassword) }
            response = Etcdserverpb_AuthUserAddResponse()
        case .authUserDelete(let delete):
            mutations = try auth.apply { (store) throws(EtcdError) in try store.deleteUser(delete.name) }
            response = Etcdserverpb_AuthUserDeleteResponse()
        case .authUserChangePassword(let change):
            let hash = Array(change.hashedPassword.utf8)
            mutations = try auth.apply { (store) throws(EtcdError) in try store.changePassword(change.name, passwordHash: hash) }
            response = Etcdserverpb_AuthUserChangePasswordResponse()
        case .authUserGrantRole(let grant):
            mutations = try auth.apply { (store) throws(EtcdError) in try store.grantRole(grant.role, to: grant.user) }
            response = Etcdserverpb_AuthUserGrantRoleResponse()
        case .authUserRevokeRole(let revoke):
            mutations = try auth.apply { (store) throws(EtcdError) in try store.revokeRole(revoke.role, from: revoke.name) }
            response = Etcdserverpb_AuthUserRevokeRoleResponse()
        case .authRoleAdd(let add):
            mutations = try auth.apply { (store) throws(EtcdError) in try store.addRole(add.name) }
            response = Etcdserverpb_AuthRoleAddResponse()
        case .authRoleDelete(let delete):
            mutations = try auth.apply { (store) throws(EtcdError) in try store.deleteRole(delete.role) }
            response = Etcdserverpb_AuthRoleDeleteResponse()
        case .authRoleGrantPermission(let grant):
            let permission = grant.hasPerm ? Permission(wire: grant.perm) : nil
            mutations = try auth.apply { (store) throws(EtcdError) in try store.grantPermission(permission, to: grant.name) }
            response = Etcdserverpb_AuthRoleGrantPermissionResponse()
        case .authRoleRevokePermission(let revoke):
            let key = [UInt8](revoke.key)
            let end = [UInt8](revoke.rangeEnd)
            mutations = try auth.apply { (store) throws(EtcdError) in try store.revokePermission(key: key, rangeEnd: end, from: revoke.role) }
            response = Etcdserverpb_AuthRoleRevokePermissionResponse()
        case .authDisable:
            mutations = try auth.apply { (store) throws(EtcdError) in store.disable() }
            response = Etcdserverpb_AuthDisableResponse()
        default:
            preconditionFailure("not an auth management request")
        }
        try self.write(mutations)
        return .auth(response)
    }
}
