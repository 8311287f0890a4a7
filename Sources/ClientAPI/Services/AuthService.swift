import EtcdGRPC
import EtcdProto
import EtcdServer
import GRPCCore

/// etcd's `Auth` service on the member: enabling and disabling auth, authenticating, user and role
/// management, as etcd has them.
public struct AuthService: Etcdserverpb_Auth.SimpleServiceProtocol {
    private let server: EtcdServer

    /// A service answering from `server`.
    public init(server: EtcdServer) {
        self.server = server
    }

    public func authEnable(request: Etcdserverpb_AuthEnableRequest, context: ServerContext) async throws -> Etcdserverpb_AuthEnableResponse {
        try await self.server.authEnable(request)
    }

    public func authDisable(request: Etcdserverpb_AuthDisableRequest, context: ServerContext) async throws -> Etcdserverpb_AuthDisableResponse {
        try await self.server.authDisable(request)
    }

    public func authStatus(request: Etcdserverpb_AuthStatusRequest, context: ServerContext) async throws -> Etcdserverpb_AuthStatusResponse {
        try await self.server.authStatus(request)
    }

    public func authenticate(request: Etcdserverpb_AuthenticateRequest, context: ServerContext) async throws -> Etcdserverpb_AuthenticateResponse {
        try await self.server.authenticate(request)
    }

    public func userAdd(request: Etcdserverpb_AuthUserAddRequest, context: ServerContext) async throws -> Etcdserverpb_AuthUserAddResponse {
        try await self.server.userAdd(request)
    }

    public func userGet(request: Etcdserverpb_AuthUserGetRequest, context: ServerContext) async throws -> Etcdserverpb_AuthUserGetResponse {
        try await self.server.userGet(request)
    }

    public func userList(request: Etcdserverpb_AuthUserListRequest, context: ServerContext) async throws -> Etcdserverpb_AuthUserListResponse {
        try await self.server.userList(request)
    }

    public func userDelete(request: Etcdserverpb_AuthUserDeleteRequest, context: ServerContext) async throws -> Etcdserverpb_AuthUserDeleteResponse {
        try await self.server.userDelete(request)
    }

    public func userChangePassword(request: Etcdserverpb_AuthUserChangePasswordRequest, context: ServerContext) async throws -> Etcdserverpb_AuthUserChangePasswordResponse {
        try await self.server.userChangePassword(request)
    }

    public func userGrantRole(request: Etcdserverpb_AuthUserGrantRoleRequest, context: ServerContext) async throws -> Etcdserverpb_AuthUserGrantRoleResponse {
        try await self.server.userGrantRole(request)
    }

    public func userRevokeRole(request: Etcdserverpb_AuthUserRevokeRoleRequest, context: ServerContext) async throws -> Etcdserverpb_AuthUserRevokeRoleResponse {
        try await self.server.userRevokeRole(request)
    }

    public func roleAdd(request: Etcdserverpb_AuthRoleAddRequest, context: ServerContext) async throws -> Etcdserverpb_AuthRoleAddResponse {
        try await self.server.roleAdd(request)
    }

    public func roleGet(request: Etcdserverpb_AuthRoleGetRequest, context: ServerContext) async throws -> Etcdserverpb_AuthRoleGetResponse {
        try await self.server.roleGet(request)
    }

    public func roleList(request: Etcdserverpb_AuthRoleListRequest, context: ServerContext) async throws -> Etcdserverpb_AuthRoleListResponse {
        try await self.server.roleList(request)
    }

    public func roleDelete(request: Etcdserverpb_AuthRoleDeleteRequest, context: ServerContext) async throws -> Etcdserverpb_AuthRoleDeleteResponse {
        try await self.server.roleDelete(request)
    }

    public func roleGrantPermission(request: Etcdserverpb_AuthRoleGrantPermissionRequest, context: ServerContext) async throws -> Etcdserverpb_AuthRoleGrantPermissionResponse {
        try await self.server.roleGrantPermission(request)
    }

    public func roleRevokePermission(request: Etcdserverpb_AuthRoleRevokePermissionRequest, context: ServerContext) async throws -> Etcdserverpb_AuthRoleRevokePermissionResponse {
        try await self.server.roleRevokePermission(request)
    }
}
