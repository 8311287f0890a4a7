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

    /// The client configuration the global flags describe; exits with etcdctl's codes on bad values. Calls are
    /// bounded by `--command-timeout` when `timed`; a long-running command (make-mirror) passes false.
    func clientConfiguration(endpoints: [String]? = nil, timed: Bool = true) throws(CommandError) -> ClientConfiguration {
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
        configuration.requestTimeout = timed ? self.duration("command-timeout") : nil
        configuration.keepaliveTime = self.duration("keepalive-time")
        configuration.keepaliveTimeout = self.duration("keepalive-timeout")
        return configuration
    }

    /// A client of the endpoints; refuses what this etcdctl cannot do yet (TLS, users) clearly.
    func client(endpoints: [String]? = nil, timed: Bool = true) throws(CommandError) -> EtcdClient {
        for flag in ["cert", "key", "cacert", "user", "password", "discovery-srv"] where !self.string(flag).isEmpty {
            throw CommandError(.badFeature, "--\(flag) is not supported by this etcdctl yet (TLS, authentication and DNS discovery come later)")
        }
        do {
            return try EtcdClient(configuration: try self.clientConfiguration(endpoints: endpoints, timed: timed))
        } catch let error as CommandError {
            throw error
        } catch {
            throw CommandError(.badConnection, "\(error)")
        }
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
        let client = try self.client(endpoints: endpoints)
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
