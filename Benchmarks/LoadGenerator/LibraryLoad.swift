import EtcdClient
import EtcdProto
import Foundation

/// The workload through the EtcdClient library instead of grpc-swift's generated client: one client (one
/// connection) per `--connections`, so the two paths differ only in the library's own work.
enum LibraryLoad {
    static func run(_ options: Options, on endpoint: Endpoint) async throws -> Summary {
        var clients: [EtcdClient] = []
        for _ in 0..<options.connections {
            clients.append(try EtcdClient(endpoints: ["\(endpoint.host):\(endpoint.port)"]))
        }
        let senders: [Sender] = clients.map { client in
            { key in
                switch options.operation {
                case .put: _ = try await client.put(options.put(key))
                case .range, .scrape, .paced: _ = try await client.range(options.range(key))
                }
            }
        }
        let summary = try await Load.run(options, senders: senders)
        for client in clients { await client.close() }
        return summary
    }
}
