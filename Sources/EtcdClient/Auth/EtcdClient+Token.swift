import EtcdGRPC
import EtcdProto
import GRPCCore

/// How a client with credentials gets and keeps its auth token, as clientv3 does: it authenticates
/// before its first call, asking one endpoint after another until one answers (a member with
/// authentication disabled means no token, and calls go on without one); a call refused for its token
/// (invalid, or older than the auth store) re-authenticates and is tried once more; a stream
/// re-authenticates before it opens.
extension EtcdClient {
    /// The credentials the client authenticates with, when usable.
    var credentials: Credentials? {
        guard let credentials = self.configuration.credentials, credentials.isUsable else { return nil }
        return credentials
    }

    /// Authenticates now if the client has credentials and has not yet, as clientv3 does when it connects
    /// (calls authenticate by themselves otherwise). Throws the member's refusal (etcd's `authentication
    /// failed, invalid user ID or password`) or why no member answered; a member with authentication
    /// disabled is no failure.
    public func authenticate() async throws(EtcdError) {
        _ = try await self.tokenGeneration()
    }

    /// Authenticates if the client has credentials and has not yet; the token generation calls now carry.
    func tokenGeneration() async throws(EtcdError) -> Int {
        guard let credentials = self.credentials else { return 0 }
        try await self.tokens.settle { await self.authenticate(credentials) }
        return self.tokens.generation
    }

    /// Whether a call failed because of its token, so that re-authenticating (or, without credentials, just
    /// trying again, as for an auth store that changed under a certificate's user) may help.
    func refusedToken(_ failure: EtcdError) -> Bool {
        switch failure {
        case .invalidAuthToken, .authOldRevision: true
        case .userEmpty: self.credentials != nil
        default: false
        }
    }

    /// Replaces the token of generation `seen` (once, however many calls ask); nothing without credentials.
    func renewToken(after seen: Int, clearing: Bool) async throws(EtcdError) {
        guard let credentials = self.credentials else { return }
        try await self.tokens.renew(after: seen, clearing: clearing) { await self.authenticate(credentials) }
    }

    /// Authenticates again before a stream (watch, keep-alive, snapshot) opens, as clientv3's stream
    /// interceptor does, so a long-lived stream starts with a fresh token.
    func renewTokenForStream() async throws(EtcdError) {
        try await self.renewToken(after: self.tokens.generation, clearing: false)
    }

    /// One authentication: each endpoint in turn from the pinned one, each given the dial timeout. Returns
    /// the token, nil when authentication is disabled, or the last endpoint's error.
    private func authenticate(_ credentials: Credentials) async -> Result<String?, EtcdError> {
        var request = Etcdserverpb_AuthenticateRequest()
        request.name = credentials.user
        request.password = credentials.password
        var options = CallOptions.defaults
        options.waitForReady = false
        if self.configuration.dialTimeout > .zero { options.timeout = self.configuration.dialTimeout }
        var last = EtcdError.noAvailableEndpoints
        for offset in 0..<self.connections.count {
            let connection = self.connections[(self.connectionIndex + offset) % self.connections.count]
            do {
                let response = try await Etcdserverpb_Auth.Client(wrapping: connection.client).authenticate(request, options: options)
                return .success(response.token)
            } catch {
                last = EtcdError(clientFailure: error)
                if last == .authNotEnabled { return .success(nil) }
            }
        }
        return .failure(last)
    }
}

extension EtcdError {
    /// Whether an authentication failed on the member's word (wrong password, unknown user, …), which
    /// neither another member nor a retry cures, rather than for want of a member to ask.
    var isRefusal: Bool {
        self.code != .unavailable && self.code != .deadlineExceeded && self.code != .canceled
    }
}
