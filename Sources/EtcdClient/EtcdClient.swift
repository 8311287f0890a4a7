import EtcdGRPC
import EtcdProto
import GRPCCore
import GRPCNIOTransportHTTP2
import Synchronization

/// A client of an etcd cluster, as Go's clientv3 is: one connection per endpoint it uses, a pinned
/// endpoint that calls go to, and failover to the others when it goes away. Reads and other calls that
/// may run twice are retried on another endpoint when a member is unavailable; a mutation is retried only
/// when it certainly never reached a member. A call has a deadline when it gives one or
/// ``ClientConfiguration/requestTimeout`` is set (etcdctl sets it; without one a call waits as long as the
/// member takes, as a clientv3 call with a context without deadline does: a per-call timer costs about a
/// fifth of a busy client's throughput); a member that has not been reached yet gets at most
/// ``ClientConfiguration/dialTimeout`` before the next one is tried.
///
/// Errors are `EtcdError`s: the member's gRPC code and etcd's message, or the client's own (`context
/// deadline exceeded`). Call ``close()`` when done.
public final class EtcdClient: Sendable {
    /// How a call may be repeated when it fails.
    enum Retry {
        /// Safe to run twice (reads, status, member list): retried on another endpoint when unavailable.
        case idempotent
        /// Changes state: retried only when it certainly never reached a member.
        case mutation
    }

    public let configuration: ClientConfiguration
    let connections: [EndpointConnection]
    /// The auth token calls carry (none unless the configuration has usable credentials).
    let tokens = TokenStore()
    private let pinned = Atomic<Int>(0)
    private let mux = Mutex<WatchMux?>(nil)

    /// A client of the members `configuration` names. Connections are made when calls need them; with
    /// credentials, the client authenticates before its first call.
    public init(configuration: ClientConfiguration) throws(EtcdError) {
        guard !configuration.endpoints.isEmpty else { throw .noAvailableEndpoints }
        self.configuration = configuration
        let interceptors: [any ClientInterceptor] = [TokenInterceptor(store: self.tokens)]
        var connections: [EndpointConnection] = []
        for endpoint in configuration.endpoints {
            connections.append(try EndpointConnection(endpoint: endpoint, configuration: configuration, interceptors: interceptors))
        }
        self.connections = connections
    }

    /// A client of `endpoints` (`host:port` or URLs) with etcdctl's defaults.
    public convenience init(endpoints: [String]) throws(EtcdError) {
        var parsed: [Endpoint] = []
        for endpoint in endpoints { parsed.append(try Endpoint(parsing: endpoint)) }
        try self.init(configuration: ClientConfiguration(endpoints: parsed))
    }

    /// Ends every watch and closes every connection once its calls have ended.
    public func close() async {
        self.mux.withLock { mux in
            defer { mux = nil }
            return mux
        }?.close()
        for connection in self.connections { await connection.close() }
    }

    /// The client's watch stream, made when the first watch starts.
    var watchMux: WatchMux {
        self.mux.withLock { mux in
            if let mux { return mux }
            let made = WatchMux(client: self)
            mux = made
            return made
        }
    }

    /// The endpoint calls currently go to.
    public var pinnedEndpoint: Endpoint { self.connections[self.pinned.load(ordering: .relaxed)].endpoint }

    /// A client of one endpoint only, sharing nothing with this one (for per-member calls such as
    /// status, hash or defragment of each endpoint).
    public func single(_ endpoint: Endpoint) throws(EtcdError) -> EtcdClient {
        var configuration = self.configuration
        configuration.endpoints = [endpoint]
        return try EtcdClient(configuration: configuration)
    }

    /// Attempts a call makes at most when it has no deadline (clientv3's default retry count).
    static let maxAttempts = 100

    /// Runs `call` on the pinned endpoint, failing over to the others as `retry` allows, until it succeeds,
    /// the deadline passes (`timeout`, else ``ClientConfiguration/requestTimeout``) or, without one, it has
    /// been tried ``maxAttempts`` times.
    func unary<T: Sendable>(
        _ retry: Retry,
        timeout: Duration? = nil,
        _ call: @escaping @Sendable (GRPCClient<HTTP2ClientTransport.Posix>, CallOptions) async throws -> T
    ) async throws(EtcdError) -> T {
        let deadline = (timeout ?? self.configuration.requestTimeout).map { ContinuousClock.now + $0 }
        var failures = 0
        var last: EtcdError?
        var reauthenticated = false
        while true {
            let seen = try await self.tokenGeneration()
            let index = self.pinned.load(ordering: .relaxed)
            let connection = self.connections[index]
            var options = CallOptions.defaults
            options.waitForReady = false
            if let deadline {
                let remaining = deadline - ContinuousClock.now
                guard remaining > .zero else { throw last ?? .contextDeadlineExceeded }
                options.timeout = remaining
            }
            do {
                if connection.hasConnected { return try await call(connection.client, options) }
                return try await self.dialing(connection, options, call)
            } catch {
                let failure = EtcdError(clientFailure: error)
                if !reauthenticated, self.refusedToken(failure) {
                    reauthenticated = true
                    try await self.renewToken(after: seen, clearing: true)
                    continue
                }
                let unreached = EtcdError.neverSent(error) || error is DialTimedOut
                guard Self.mayRetry(retry, failure, neverSent: unreached) else { throw failure }
                last = failure
                failures += 1
                guard deadline != nil || failures < Self.maxAttempts else { throw failure }
                self.failOver(from: index)
                if failures % self.connections.count == 0 {
                    let pause = min(Duration.milliseconds(25 * failures), .milliseconds(500))
                    if let deadline, deadline - ContinuousClock.now <= pause { throw failure }
                    do {
                        try await Task.sleep(for: pause)
                    } catch {
                        throw .contextCanceled
                    }
                }
            }
        }
    }

    /// Runs `call` on a connection not made yet, abandoning it (as never sent) when no connection exists
    /// after ``ClientConfiguration/dialTimeout``; once connected, the call has the whole deadline.
    private func dialing<T: Sendable>(
        _ connection: EndpointConnection,
        _ options: CallOptions,
        _ call: @escaping @Sendable (GRPCClient<HTTP2ClientTransport.Posix>, CallOptions) async throws -> T
    ) async throws -> T {
        let dialTimeout = self.configuration.dialTimeout
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await call(connection.client, options) }
            group.addTask {
                try await Task.sleep(for: dialTimeout)
                guard connection.hasConnected else { throw DialTimedOut() }
                try await Task.sleep(for: .seconds(86_400))
                return nil
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let result { return result }
            }
            throw DialTimedOut()
        }
    }

    /// clientv3's rules: an idempotent call is repeated after an UNAVAILABLE answer or a member not
    /// reached; a mutation only when it was not sent at all.
    static func mayRetry(_ retry: Retry, _ failure: EtcdError, neverSent: Bool) -> Bool {
        if neverSent { return true }
        switch retry {
        case .idempotent: return failure.code == .unavailable
        case .mutation: return false
        }
    }

    /// Pins the endpoint after `index` (when `index` is still the pinned one).
    func failOver(from index: Int) {
        _ = self.pinned.compareExchange(expected: index, desired: (index + 1) % self.connections.count, ordering: .relaxed)
    }
}

extension EtcdClient {
    /// The index of the pinned endpoint, for streams that fail over themselves.
    var connectionIndex: Int { self.pinned.load(ordering: .relaxed) }
}

/// No connection to an endpoint could be made within the dial timeout: the call never reached a member.
struct DialTimedOut: Error {}
