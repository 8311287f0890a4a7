import Auth
import EtcdProto
import Foundation

extension EtcdServer {
    /// Who sends the current request (``Auth/CallerCredentials/current``), as etcd's `AuthInfoFromCtx`
    /// resolves it: nil while auth is disabled (tokens are then ignored, as etcd 3.5 does) or when the
    /// request carries nothing; a simple token names its user at the current auth revision, a JWT its user
    /// at the revision it was signed at (older than the store's after any auth change, so key checks
    /// refuse it as "revision of auth store is old"); a token that does neither is answered with "invalid
    /// auth token" so the client authenticates again; without a token, the Common Name of a
    /// verified client certificate names the user when `--client-cert-auth` is on (never through the
    /// gateway). The member's own requests act as `root`.
    func identity() async throws -> AuthIdentity? {
        let auth = self.stores.auth
        guard auth.isEnabled else { return nil }
        let credentials = CallerCredentials.current
        if credentials.isMember { return AuthIdentity(user: AuthStore.root, revision: auth.current.revision) }
        if let token = credentials.token {
            if case .jwt(let tokens) = self.configuration.tokenProvider {
                guard let identity = tokens.identity(of: token, now: Date()) else { throw EtcdError.invalidAuthToken }
                return identity
            }
            return AuthIdentity(user: try await self.user(forToken: token), revision: auth.current.revision)
        }
        if let name = credentials.commonName, !credentials.viaGateway, self.configuration.clientCertAuth {
            return AuthIdentity(user: name, revision: auth.current.revision)
        }
        return nil
    }

    /// The user a simple token names, once this member has applied the Authenticate entry that made it
    /// (a lagging member catches up first; a rare wait, so it polls). Unlike etcd, which waits for any index however large, a token
    /// whose entry is not applied within ``tokenIndexWait`` is answered as invalid.
    private func user(forToken token: String) async throws -> String {
        guard let index = SimpleTokens.index(of: token) else { throw EtcdError.invalidAuthToken }
        let deadline = ContinuousClock.now + Self.tokenIndexWait
        while self.applyLoop.appliedIndex < index {
            guard ContinuousClock.now < deadline else { throw EtcdError.invalidAuthToken }
            try await Task.sleep(for: .milliseconds(5))
        }
        guard let user = self.stateMachine.tokens.user(for: token) else { throw EtcdError.invalidAuthToken }
        return user
    }

    /// Checks what a request served without the log (a range, a read-only transaction, a watch) needs on
    /// the key space, as its caller; returns the identity it checked (nil while auth is disabled).
    @discardableResult
    func checkPermissions(_ needs: @autoclosure () -> [PermissionNeed]) async throws -> AuthIdentity? {
        guard self.stores.auth.isEnabled else { return nil }
        let identity = try await self.identity()
        try self.stores.auth.check(needs(), as: identity)
        return identity
    }

    /// etcd's second look after a read served without the log: when the auth store changed since the
    /// caller's identity was checked, the answer is "revision of auth store is old" (the client
    /// authenticates again and retries) rather than data the new permissions may not allow.
    func recheck(_ identity: AuthIdentity?) throws {
        guard let identity, identity.revision != 0, identity.revision != self.stores.auth.current.revision else { return }
        throw EtcdError.authOldRevision
    }

    /// etcd's admin check for calls answered outside the log (member changes, auth reads): the caller must
    /// hold role `root` while auth is enabled.
    func checkAdmin() async throws {
        guard self.stores.auth.isEnabled else { return }
        let identity = try await self.identity()
        try self.stores.auth.current.checkAdmin(identity)
    }

    /// The admin check of the maintenance calls (snapshot, defragment, hash), whose refusals etcd sends in
    /// the auth package's raw form.
    public func checkMaintenanceAdmin() async throws {
        do {
            try await self.checkAdmin()
        } catch let error as EtcdError {
            throw EtcdError.maintenanceRefusal(error)
        }
    }

    /// Why the caller may not open the watch `create` asks for (READ on its whole range, a from-key range
    /// checked as asked, unlike etcd before 3.5.33), as the reason etcd's watch refusal gives: the token's,
    /// the revision's or the missing name's error, else "permission denied". Nil when allowed; anything
    /// else (the member stopping) is thrown and ends the stream.
    public func watchRefusal(_ create: Etcdserverpb_WatchCreateRequest) async throws -> EtcdError? {
        do {
            try await self.checkPermissions(self.stores.requestPermissions.watch(create))
            return nil
        } catch let error as EtcdError where [.invalidAuthToken, .authOldRevision, .userEmpty].contains(error) {
            return error
        } catch let error as EtcdError where error.code == .permissionDenied || error == .userNotFound {
            return .permissionDenied
        }
    }

    /// How long a request waits for the entry of its token to be applied here.
    static let tokenIndexWait = Duration.seconds(5)

}
