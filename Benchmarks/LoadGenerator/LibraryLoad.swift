import EtcdClient
import EtcdProto
import Foundation

/// The workload through the EtcdClient library instead of grpc-swift's generated client: one client (one
/// connection) per `--connections`, so the two paths differ only in the library's own work; over TLS and
/// as a user when the options say so.
enum LibraryLoad {
    static func run(_ options: Options, on endpoint: MemberAddress) async throws -> Summary {
        var clients: [EtcdClient] = []
        let secure = options.caFile != nil || options.certFile != nil
        var configuration = ClientConfiguration(endpoints: [try Endpoint(parsing: "\(secure ? "https" : "http")://\(endpoint.host):\(endpoint.port)")])
        if secure { configuration.tls = try ClientTLS(caFile: options.caFile, certFile: options.certFile, keyFile: options.keyFile) }
        if let user = options.user {
            let parts = user.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            configuration.credentials = Credentials(user: String(parts[0]), password: parts.count > 1 ? String(parts[1]) : "")
        }
        for _ in 0..<options.connections {
            clients.append(try EtcdClient(configuration: configuration))
        }
        let senders: [Sender] = clients.map { client in
            { key in
                switch options.operation {
                case .put: _ = try await client.put(options.put(key))
                case .range, .scrape, .paced, .authenticate: _ = try await client.range(options.range(key))
                }
            }
        }
        let summary = try await Load.run(options, senders: senders)
        for client in clients { await client.close() }
        return summary
    }
}
