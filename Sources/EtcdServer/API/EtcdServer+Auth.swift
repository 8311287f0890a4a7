import Auth
import EtcdProto
import Foundation
import NIOPosix

extension EtcdServer {
    /// etcd's `AuthEnable`, through the log: needs user `root` holding role `root`; enabling an enabled
    /// store succeeds. Once enabled, only root may disable it.
    public func authEnable(_ request: Etcdserverpb_AuthEnableRequest) async throws -> Etcdserverpb_AuthEnableResponse {
        try await self.proposeAuth(\.authEnable, request)
    }

    /// etcd's `AuthDisable`, through the log; disabling a disabled store succeeds.
    public func authDisable(_ request: Etcdserverpb_AuthDisableRequest) async throws -> Etcdserverpb_AuthDisableResponse {
        try await self.proposeAuth(\.authDisable, request)
    }

    /// etcd 3.5's `AuthStatus`: whether auth is enabled and the auth revision, after a linearizable barrier;
    /// root only while auth is enabled.
    public func authStatus(_ request: Etcdserverpb_AuthStatusRequest) async throws -> Etcdserverpb_AuthStatusResponse {
        try await self.linearizableRead()
        try await self.checkAdmin()
        let store = self.stores.auth.current
        var response = Etcdserverpb_AuthStatusResponse()
        response.enabled = store.enabled
        response.authRevision = store.revision
        response.header = self.header(revision: self.stores.store.currentRevision)
        return response
    }

    /// etcd's `Authenticate`: after a linearizable barrier, the password is compared with the stored bcrypt
    /// hash on the thread pool (a wrong password costs its bcrypt time there, never the event loop's); then
    /// an entry without the password goes through the log and registers a simple token on every member,
    /// or, with JWT, this member signs a token at the auth revision the entry applied at. When the auth
    /// store changed between the comparison and the entry, it starts again, as etcd does.
    public func authenticate(_ request: Etcdserverpb_AuthenticateRequest) async throws -> Etcdserverpb_AuthenticateResponse {
        while true {
            try await self.linearizableRead()
            let store = self.stores.auth.current
            guard store.enabled else { throw EtcdError.authNotEnabled }
            let provider = self.configuration.tokenProvider
            if case .none = provider { throw EtcdError.authFailed }
            let hash = try store.passwordHash(authenticating: request.name)
            let password = request.password
            let matches = try await NIOThreadPool.singleton.runIfActive { PasswordHash.matches(password, hash: hash) }
            guard matches else { throw EtcdError.authFailed }
            if case .jwt(let tokens) = provider, !tokens.key.canSign { throw EtcdError.jwtVerifyOnly }
            var proposal = Memberpb_InternalRequest()
            proposal.authenticate.name = request.name
            if case .simple = provider { proposal.authenticate.simpleToken = SimpleTokens.makePrefix() }
            // A token the client still attaches (an expired one it is replacing) plays no part, as in etcd 3.5.
            let result = try await CallerCredentials.$current.withValue(CallerCredentials()) { try await self.propose(proposal) }
            guard case .auth(let answer) = result, var response = answer as? Etcdserverpb_AuthenticateResponse else {
                throw Self.unexpectedResult
            }
            guard self.stores.auth.current.revision == store.revision else { continue }
            if case .jwt(let tokens) = provider {
                response.token = try tokens.token(user: request.name, revision: store.revision, now: Date())
            }
            response.header = self.header(revision: self.stores.store.currentRevision)
            return response
        }
    }

    /// etcd's `UserAdd`: the password is hashed here, on the thread pool (bcrypt at the configured cost), and
    /// only the hash goes through the log.
    public func userAdd(_ request: Etcdserverpb_AuthUserAddRequest) async throws -> Etcdserverpb_AuthUserAddResponse {
        var request = request
        if !request.options.noPassword {
            request.hashedPassword = try await self.hash(request.password)
        }
        request.password = ""
        return try await self.proposeAuth(\.authUserAdd, request)
    }

    public func userDelete(_ request: Etcdserverpb_AuthUserDeleteRequest) async throws -> Etcdserverpb_AuthUserDeleteResponse {
        try await self.proposeAuth(\.authUserDelete, request)
    }

    /// etcd's `UserChangePassword`, hashed as ``userAdd(_:)`` hashes.
    public func userChangePassword(_ request: Etcdserverpb_AuthUserChangePasswordRequest) async throws -> Etcdserverpb_AuthUserChangePasswordResponse {
        var request = request
        request.hashedPassword = try await self.hash(request.password)
        request.password = ""
        return try await self.proposeAuth(\.authUserChangePassword, request)
    }

    public func userGrantRole(_ request: Etcdserverpb_AuthUserGrantRoleRequest) async throws -> Etcdserverpb_AuthUserGrantRoleResponse {
        try await self.proposeAuth(\.authUserGrantRole, request)
    }

    public func userRevokeRole(_ request: Etcdserverpb_AuthUserRevokeRoleRequest) async throws -> Etcdserverpb_AuthUserRevokeRoleResponse {
        try await self.proposeAuth(\.authUserRevokeRole, request)
    }

    /// etcd's `UserGet`: the user's roles, after a linearizable barrier.
    public func userGet(_ request: Etcdserverpb_AuthUserGetRequest) async throws -> Etcdserverpb_AuthUserGetResponse {
        try await self.linearizableRead()
        let identity = try await self.identity()
        let store = self.stores.auth.current
        try store.checkUserGet(request.name, as: identity)
        var response = Etcdserverpb_AuthUserGetResponse()
        response.roles = try store.user(request.name).roles
        response.header = self.header(revision: self.stores.store.currentRevision)
        return response
    }

    /// etcd's `UserList`: names in byte order.
    public func userList(_ request: Etcdserverpb_AuthUserListRequest) async throws -> Etcdserverpb_AuthUserListResponse {
        try await self.linearizableRead()
        try await self.checkAdmin()
        let store = self.stores.auth.current
        var response = Etcdserverpb_AuthUserListResponse()
        response.users = store.userNames
        response.header = self.header(revision: self.stores.store.currentRevision)
        return response
    }

    public func roleAdd(_ request: Etcdserverpb_AuthRoleAddRequest) async throws -> Etcdserverpb_AuthRoleAddResponse {
        try await self.proposeAuth(\.authRoleAdd, request)
    }

    public func roleDelete(_ request: Etcdserverpb_AuthRoleDeleteRequest) async throws -> Etcdserverpb_AuthRoleDeleteResponse {
        try await self.proposeAuth(\.authRoleDelete, request)
    }

    public func roleGrantPermission(_ request: Etcdserverpb_AuthRoleGrantPermissionRequest) async throws -> Etcdserverpb_AuthRoleGrantPermissionResponse {
        try await self.proposeAuth(\.authRoleGrantPermission, request)
    }

    public func roleRevokePermission(_ request: Etcdserverpb_AuthRoleRevokePermissionRequest) async throws -> Etcdserverpb_AuthRoleRevokePermissionResponse {
        try await self.proposeAuth(\.authRoleRevokePermission, request)
    }

    /// etcd's `RoleGet`: the role's permissions sorted by key, after a linearizable barrier.
    public func roleGet(_ request: Etcdserverpb_AuthRoleGetRequest) async throws -> Etcdserverpb_AuthRoleGetResponse {
        try await self.linearizableRead()
        let identity = try await self.identity()
        let store = self.stores.auth.current
        try store.checkRoleGet(request.role, as: identity)
        var response = Etcdserverpb_AuthRoleGetResponse()
        response.perm = try store.role(request.role).permissions.map(\.wire)
        response.header = self.header(revision: self.stores.store.currentRevision)
        return response
    }

    /// etcd's `RoleList`: names in byte order.
    public func roleList(_ request: Etcdserverpb_AuthRoleListRequest) async throws -> Etcdserverpb_AuthRoleListResponse {
        try await self.linearizableRead()
        try await self.checkAdmin()
        let store = self.stores.auth.current
        var response = Etcdserverpb_AuthRoleListResponse()
        response.roles = store.roleNames
        response.header = self.header(revision: self.stores.store.currentRevision)
        return response
    }

    /// Proposes an auth management request (set as `field` of the log entry) and answers with its response
    /// and a header at the KV revision.
    private func proposeAuth<Request, Response: Etcdserverpb_AuthResponse>(
        _ field: WritableKeyPath<Memberpb_InternalRequest, Request>,
        _ request: Request
    ) async throws -> Response {
        var proposal = Memberpb_InternalRequest()
        proposal[keyPath: field] = request
        guard case .auth(let answer) = try await self.propose(proposal), var response = answer as? Response else {
            throw Self.unexpectedResult
        }
        response.header = self.header(revision: self.stores.store.currentRevision)
        return response
    }

    /// A bcrypt hash of `password` at `--bcrypt-cost`, made on the thread pool.
    private func hash(_ password: String) async throws -> String {
        let cost = self.configuration.bcryptCost
        let hash = try await NIOThreadPool.singleton.runIfActive { try PasswordHash.make(password, cost: cost) }
        return String(decoding: hash, as: UTF8.self)
    }
}

/// The auth responses, which all carry a header.
protocol Etcdserverpb_AuthResponse: Sendable {
    var header: Etcdserverpb_ResponseHeader { get set }
}

extension Etcdserverpb_AuthEnableResponse: Etcdserverpb_AuthResponse {}
extension Etcdserverpb_AuthDisableResponse: Etcdserverpb_AuthResponse {}
extension Etcdserverpb_AuthUserAddResponse: Etcdserverpb_AuthResponse {}
extension Etcdserverpb_AuthUserDeleteResponse: Etcdserverpb_AuthResponse {}
extension Etcdserverpb_AuthUserChangePasswordResponse: Etcdserverpb_AuthResponse {}
extension Etcdserverpb_AuthUserGrantRoleResponse: Etcdserverpb_AuthResponse {}
extension Etcdserverpb_AuthUserRevokeRoleResponse: Etcdserverpb_AuthResponse {}
extension Etcdserverpb_AuthRoleAddResponse: Etcdserverpb_AuthResponse {}
extension Etcdserverpb_AuthRoleDeleteResponse: Etcdserverpb_AuthResponse {}
extension Etcdserverpb_AuthRoleGrantPermissionResponse: Etcdserverpb_AuthResponse {}
extension Etcdserverpb_AuthRoleRevokePermissionResponse: Etcdserverpb_AuthResponse {}
