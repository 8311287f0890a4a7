import EtcdGRPC
import EtcdProto
import Foundation
import GRPCCore

/// The Auth service: users, roles, permissions and the auth switch, as clientv3's `Auth` interface has them.
extension EtcdClient {
    /// Enables authentication (needs user `root` holding role `root`).
    public func authEnable(timeout: Duration? = nil) async throws(EtcdError) -> Etcdserverpb_AuthEnableResponse {
        let request = Etcdserverpb_AuthEnableRequest()
        return try await self.unary(.mutation, timeout: timeout) { [request] client, options in
            try await Etcdserverpb_Auth.Client(wrapping: client).authEnable(request, options: options)
        }
    }

    /// Disables authentication.
    public func authDisable(timeout: Duration? = nil) async throws(EtcdError) -> Etcdserverpb_AuthDisableResponse {
        let request = Etcdserverpb_AuthDisableRequest()
        return try await self.unary(.mutation, timeout: timeout) { [request] client, options in
            try await Etcdserverpb_Auth.Client(wrapping: client).authDisable(request, options: options)
        }
    }

    /// Whether authentication is enabled, and the auth revision (etcd 3.5).
    public func authStatus(timeout: Duration? = nil) async throws(EtcdError) -> Etcdserverpb_AuthStatusResponse {
        let request = Etcdserverpb_AuthStatusRequest()
        return try await self.unary(.idempotent, timeout: timeout) { [request] client, options in
            try await Etcdserverpb_Auth.Client(wrapping: client).authStatus(request, options: options)
        }
    }

    /// Adds user `name` with `password`, or without password (`noPassword`: it can only be a certificate's common name).
    public func userAdd(_ name: String, password: String, noPassword: Bool = false, timeout: Duration? = nil) async throws(EtcdError) -> Etcdserverpb_AuthUserAddResponse {
        var request = Etcdserverpb_AuthUserAddRequest()
        request.name = name
        request.password = password
        request.options.noPassword = noPassword
        return try await self.unary(.mutation, timeout: timeout) { [request] client, options in
            try await Etcdserverpb_Auth.Client(wrapping: client).userAdd(request, options: options)
        }
    }

    /// Deletes user `name`.
    public func userDelete(_ name: String, timeout: Duration? = nil) async throws(EtcdError) -> Etcdserverpb_AuthUserDeleteResponse {
        var request = Etcdserverpb_AuthUserDeleteRequest()
        request.name = name
        return try await self.unary(.mutation, timeout: timeout) { [request] client, options in
            try await Etcdserverpb_Auth.Client(wrapping: client).userDelete(request, options: options)
        }
    }

    /// Sets user `name`'s password.
    public func userChangePassword(_ name: String, password: String, timeout: Duration? = nil) async throws(EtcdError) -> Etcdserverpb_AuthUserChangePasswordResponse {
        var request = Etcdserverpb_AuthUserChangePasswordRequest()
        request.name = name
        request.password = password
        return try await self.unary(.mutation, timeout: timeout) { [request] client, options in
            try await Etcdserverpb_Auth.Client(wrapping: client).userChangePassword(request, options: options)
        }
    }

    /// Grants `role` to user `name`.
    public func userGrantRole(_ name: String, role: String, timeout: Duration? = nil) async throws(EtcdError) -> Etcdserverpb_AuthUserGrantRoleResponse {
        var request = Etcdserverpb_AuthUserGrantRoleRequest()
        request.user = name
        request.role = role
        return try await self.unary(.mutation, timeout: timeout) { [request] client, options in
            try await Etcdserverpb_Auth.Client(wrapping: client).userGrantRole(request, options: options)
        }
    }

    /// Revokes `role` from user `name`.
    public func userRevokeRole(_ name: String, role: String, timeout: Duration? = nil) async throws(EtcdError) -> Etcdserverpb_AuthUserRevokeRoleResponse {
        var request = Etcdserverpb_AuthUserRevokeRoleRequest()
        request.name = name
        request.role = role
        return try await self.unary(.mutation, timeout: timeout) { [request] client, options in
            try await Etcdserverpb_Auth.Client(wrapping: client).userRevokeRole(request, options: options)
        }
    }

    /// User `name`'s roles.
    public func userGet(_ name: String, timeout: Duration? = nil) async throws(EtcdError) -> Etcdserverpb_AuthUserGetResponse {
        var request = Etcdserverpb_AuthUserGetRequest()
        request.name = name
        return try await self.unary(.idempotent, timeout: timeout) { [request] client, options in
            try await Etcdserverpb_Auth.Client(wrapping: client).userGet(request, options: options)
        }
    }

    /// Every user's name, in byte order.
    public func userList(timeout: Duration? = nil) async throws(EtcdError) -> Etcdserverpb_AuthUserListResponse {
        let request = Etcdserverpb_AuthUserListRequest()
        return try await self.unary(.idempotent, timeout: timeout) { [request] client, options in
            try await Etcdserverpb_Auth.Client(wrapping: client).userList(request, options: options)
        }
    }

    /// Adds role `name`.
    public func roleAdd(_ name: String, timeout: Duration? = nil) async throws(EtcdError) -> Etcdserverpb_AuthRoleAddResponse {
        var request = Etcdserverpb_AuthRoleAddRequest()
        request.name = name
        return try await self.unary(.mutation, timeout: timeout) { [request] client, options in
            try await Etcdserverpb_Auth.Client(wrapping: client).roleAdd(request, options: options)
        }
    }

    /// Deletes role `name` (and takes it from every user).
    public func roleDelete(_ name: String, timeout: Duration? = nil) async throws(EtcdError) -> Etcdserverpb_AuthRoleDeleteResponse {
        var request = Etcdserverpb_AuthRoleDeleteRequest()
        request.role = name
        return try await self.unary(.mutation, timeout: timeout) { [request] client, options in
            try await Etcdserverpb_Auth.Client(wrapping: client).roleDelete(request, options: options)
        }
    }

    /// Grants role `name` a permission on `key` (empty `rangeEnd`), `[key, rangeEnd)`, or every key from `key` on (`rangeEnd` `[0]`).
    public func roleGrantPermission(_ name: String, key: [UInt8], rangeEnd: [UInt8] = [], type: Authpb_Permission.TypeEnum, timeout: Duration? = nil) async throws(EtcdError) -> Etcdserverpb_AuthRoleGrantPermissionResponse {
        var request = Etcdserverpb_AuthRoleGrantPermissionRequest()
        request.name = name
        request.perm.key = Data(key)
        request.perm.rangeEnd = Data(rangeEnd)
        request.perm.permType = type
        return try await self.unary(.mutation, timeout: timeout) { [request] client, options in
            try await Etcdserverpb_Auth.Client(wrapping: client).roleGrantPermission(request, options: options)
        }
    }

    /// Revokes role `name`'s permission on exactly `key` and `rangeEnd`.
    public func roleRevokePermission(_ name: String, key: [UInt8], rangeEnd: [UInt8] = [], timeout: Duration? = nil) async throws(EtcdError) -> Etcdserverpb_AuthRoleRevokePermissionResponse {
        var request = Etcdserverpb_AuthRoleRevokePermissionRequest()
        request.role = name
        request.key = Data(key)
        request.rangeEnd = Data(rangeEnd)
        return try await self.unary(.mutation, timeout: timeout) { [request] client, options in
            try await Etcdserverpb_Auth.Client(wrapping: client).roleRevokePermission(request, options: options)
        }
    }

    /// Role `name`'s permissions, sorted by key.
    public func roleGet(_ name: String, timeout: Duration? = nil) async throws(EtcdError) -> Etcdserverpb_AuthRoleGetResponse {
        var request = Etcdserverpb_AuthRoleGetRequest()
        request.role = name
        return try await self.unary(.idempotent, timeout: timeout) { [request] client, options in
            try await Etcdserverpb_Auth.Client(wrapping: client).roleGet(request, options: options)
        }
    }

    /// Every role's name, in byte order.
    public func roleList(timeout: Duration? = nil) async throws(EtcdError) -> Etcdserverpb_AuthRoleListResponse {
        let request = Etcdserverpb_AuthRoleListRequest()
        return try await self.unary(.idempotent, timeout: timeout) { [request] client, options in
            try await Etcdserverpb_Auth.Client(wrapping: client).roleList(request, options: options)
        }
    }
}
