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
            self.tokens.revoke(user: delete.name)
            response = Etcdserverpb_AuthUserDeleteResponse()
        case .authUserChangePassword(let change):
            let hash = Array(change.hashedPassword.utf8)
            mutations = try auth.apply { (store) throws(EtcdError) in try store.changePassword(change.name, passwordHash: hash) }
            self.tokens.revoke(user: change.name)
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
        case .authEnable:
            mutations = try auth.apply { (store) throws(EtcdError) in try store.enable() }
            response = Etcdserverpb_AuthEnableResponse()
        case .authDisable:
            mutations = try auth.apply { (store) throws(EtcdError) in store.disable() }
            self.tokens.revokeAll()
            response = Etcdserverpb_AuthDisableResponse()
        default:
            preconditionFailure("not an auth management request")
        }
        try self.write(mutations)
        return .auth(response)
    }
}

extension MemberStateMachine {
    /// Applies an Authenticate whose password the proposing member checked: the user must still exist and
    /// auth be enabled; a simple token is the proposer's random prefix and this entry's index, registered on
    /// every member alike.
    func applyAuthenticate(_ request: Memberpb_AuthenticateInternal, index: UInt64) throws(EtcdError) -> ApplyResult {
        let store = self.stores.auth.current
        guard store.enabled else { throw .authNotEnabled }
        guard store.users[request.name] != nil else { throw .authFailed }
        var response = Etcdserverpb_AuthenticateResponse()
        if !request.simpleToken.isEmpty {
            response.token = SimpleTokens.token(prefix: request.simpleToken, index: index)
            self.tokens.assign(response.token, to: request.name)
        }
        return .auth(response)
    }

    /// Why the proposer of `request` may not make it, checked at apply against the auth store as of this
    /// entry (etcd's auth applier): writes need WRITE (and READ for previous values) on their keys, a
    /// lease's revocation WRITE on its keys, auth management the root role. Nil when auth is disabled.
    func authRefusal(of request: Memberpb_InternalRequest) -> EtcdError? {
        let auth = self.stores.auth
        guard auth.isEnabled else { return nil }
        let identity = request.header.username.isEmpty
            ? nil : AuthIdentity(user: request.header.username, revision: request.header.authRevision)
        let permissions = self.stores.requestPermissions
        do throws(EtcdError) {
            switch request.request {
            case .put(let put): try auth.check(permissions.put(put), as: identity)
            case .deleteRange(let delete): try auth.check(permissions.deleteRange(delete), as: identity)
            case .txn(let txn): try auth.check(permissions.txn(txn), as: identity)
            case .leaseRevoke(let revoke): try auth.check(permissions.leaseRevoke(revoke), as: identity)
            case .authUserAdd, .authUserDelete, .authUserChangePassword, .authUserGrantRole, .authUserRevokeRole,
                .authRoleAdd, .authRoleDelete, .authRoleGrantPermission, .authRoleRevokePermission, .authEnable, .authDisable:
                try auth.current.checkAdmin(identity)
            default: break
            }
        } catch {
            return error
        }
        return nil
    }
}
