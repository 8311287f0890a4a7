import EtcdClient
import EtcdProto
import Foundation
import GoFormat

/// One run of a command: its positional arguments, the values of its flags and the global ones, and how
/// to reach the cluster and print what came back.
struct Invocation: Sendable {
    let path: [String]
    let arguments: [String]
    /// How many of `arguments` came before a `--`, when there was one (watch's exec command follows it).
    let beforeSeparator: Int?
    let values: [String: String]
    /// Flags given on the command line (or by their variable), as opposed to defaults.
    let given: Set<String>
    let defaults: [String: String]
    let console: Console
    let printer: Printer
    /// Passwords asked for so far in this run.
    let answers = PromptAnswers()

    func string(_ name: String) -> String {
        self.values[name] ?? self.defaults[name] ?? ""
    }

    func bool(_ name: String) -> Bool {
        GoParse.bool(self.string(name)) ?? false
    }

    func int64(_ name: String) -> Int64 {
        GoParse.int64(self.string(name)) ?? 0
    }

    func duration(_ name: String) -> Duration {
        GoParse.duration(self.string(name)) ?? .zero
    }

    func isGiven(_ name: String) -> Bool {
        self.given.contains(name)
    }

    /// The endpoints of `--endpoints`, trimmed.
    var endpoints: [String] {
        self.string("endpoints").split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
    }

    /// The client configuration the global flags (or `security`'s) describe; exits with etcdctl's codes on
    /// bad values. Calls are bounded by `--command-timeout` when `timed`; a long-running command
    /// (make-mirror) passes false.
    func clientConfiguration(
        endpoints: [String]? = nil,
        timed: Bool = true,
        security: SecurityFlags = .global
    ) throws(CommandError) -> ClientConfiguration {
        var parsed: [Endpoint] = []
        for endpoint in endpoints ?? self.endpoints {
            do {
                parsed.append(try Endpoint(parsing: endpoint))
            } catch {
                throw CommandError(.badArgs, error.message)
            }
        }
        var configuration = ClientConfiguration(endpoints: parsed)
        configuration.dialTimeout = self.duration("dial-timeout")
        configuration.requestTimeout = timed ? self.commandTimeout : nil
        configuration.keepaliveTime = self.duration("keepalive-time")
        configuration.keepaliveTimeout = self.duration("keepalive-timeout")
        configuration.credentials = self.credentials(security)
        configuration.tls = try self.tls(security)
        return configuration
    }

    /// A client of the endpoints, as clientv3.New makes one: with credentials it has authenticated before
    /// it is returned, and a failure to do so (wrong password, no member) exits with code 2.
    func client(endpoints: [String]? = nil, timed: Bool = true, security: SecurityFlags = .global) async throws(CommandError) -> EtcdClient {
        if !self.string("discovery-srv").isEmpty {
            throw CommandError(.badFeature, "--discovery-srv is not supported by this etcdctl (DNS discovery)")
        }
        let configuration = try self.clientConfiguration(endpoints: endpoints, timed: timed, security: security)
        let client: EtcdClient
        do {
            client = try EtcdClient(configuration: configuration)
        } catch {
            throw CommandError(.badConnection, error.message)
        }
        do {
            try await client.authenticate()
        } catch {
            Task { await client.close() }
            throw CommandError(.badConnection, error.message)
        }
        return client
    }

    /// The command timeout (etcdctl's `commandCtx`).
    var commandTimeout: Duration { self.duration("command-timeout") }
}

extension CommandError {
    /// A failed call as etcdctl reports it (`ExitWithError(ExitError, err)`).
    init(_ error: EtcdError) {
        self.init(.error, error.message)
    }
}

extension Invocation {
    /// Runs `body` with a client of the endpoints, or of `endpoints` when given (closed afterwards, without
    /// waiting); a failed call ends the command as etcdctl's `ExitWithError(ExitError, err)` does.
    func run<T: Sendable>(endpoints: [String]? = nil, _ body: (EtcdClient) async throws -> T) async throws(CommandError) -> T {
        let client = try await self.client(endpoints: endpoints)
        // The command's output does not wait for the connection's graceful close (a GOAWAY round trip);
        // the process ends right after the command, as Go etcdctl's deferred Close does not wait either.
        defer { Task { await client.close() } }
        do {
            return try await body(client)
        } catch {
            throw CommandError(failure: error)
        }
    }
}

extension CommandError {
    /// Any failure of a call, as etcdctl reports it.
    init(failure error: any Error) {
        switch error {
        case let error as CommandError: self = error
        case let error as EtcdError: self.init(error)
        default: self.init(.error, "\(error)")
        }
    }
}
