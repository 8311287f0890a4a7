import EtcdGRPC
import EtcdProto
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Synchronization

/// What a run measured.
struct Summary: Sendable {
    var options: Options
    var succeeded: Int
    var failed: Int
    var seconds: Double
    /// Latencies of the successful requests in milliseconds, ascending.
    var latencies: [Double]

    /// The nearest-rank `fraction` percentile of the latencies, 0 if there are none.
    func percentile(_ fraction: Double) -> Double {
        Load.percentile(self.latencies, fraction)
    }

    /// One line of `name=value` fields.
    var line: String {
        let fields: [(String, String)] = [
            ("op", self.options.operation.rawValue + (self.options.operation == .range && self.options.serializable ? "-serializable" : "")),
            ("clients", "\(self.options.clients)"),
            ("connections", "\(self.options.connections)"),
            ("ok", "\(self.succeeded)"),
            ("errors", "\(self.failed)"),
            ("seconds", String(format: "%.3f", self.seconds)),
            ("ops_per_sec", String(format: "%.1f", Double(self.succeeded) / self.seconds)),
            ("p50_ms", String(format: "%.3f", self.percentile(0.50))),
            ("p99_ms", String(format: "%.3f", self.percentile(0.99))),
        ]
        return fields.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
    }
}

/// Sends one request of the workload for a key, through one connection.
typealias Sender = @Sendable (Data) async throws -> Void

/// The workload: `total` requests from `clients` concurrent tasks, client `i` on connection `i % connections.count`.
enum Load {
    /// Runs the workload through grpc-swift's generated KV client on `connections`.
    static func run(_ options: Options, on connections: [Connection]) async throws -> Summary {
        let senders: [Sender] = connections.map { connection in
            let kv = Etcdserverpb_KV.Client(wrapping: connection)
            let auth = Etcdserverpb_Auth.Client(wrapping: connection)
            return { key in
                if options.operation == .authenticate {
                    _ = try await auth.authenticate(options.authenticate())
                } else {
                    try await send(kv, key: key, options)
                }
            }
        }
        return try await self.run(options, senders: senders)
    }

    /// Runs the workload through `senders`, one per connection, each warmed up by one request first.
    static func run(_ options: Options, senders: [Sender]) async throws -> Summary {
        for sender in senders {
            try await sender(key(0, options))
        }
        let shared = Shared()
        let start = ContinuousClock.now
        let perClient = await withTaskGroup(of: (latencies: [Double], failed: Int).self) { group in
            for index in 0..<options.clients {
                let sender = senders[index % senders.count]
                group.addTask {
                    var latencies: [Double] = []
                    var failed = 0
                    while case let ticket = shared.next.add(1, ordering: .relaxed).oldValue, ticket < options.total {
                        let keyIndex = options.sequentialKeys ? ticket % options.keySpace : Int.random(in: 0..<options.keySpace)
                        let began = ContinuousClock.now
                        do {
                            try await sender(key(keyIndex, options))
                            latencies.append(milliseconds(ContinuousClock.now - began))
                        } catch {
                            failed += 1
                            shared.firstError.withLock { $0 = $0 ?? "\(error)" }
                        }
                    }
                    return (latencies, failed)
                }
            }
            return await group.reduce(into: [(latencies: [Double], failed: Int)]()) { $0.append($1) }
        }
        let seconds = milliseconds(ContinuousClock.now - start) / 1000
        if let message = shared.firstError.withLock({ $0 }) {
            FileHandle.standardError.write(Data("first error: \(message)\n".utf8))
        }
        let latencies = perClient.flatMap { $0.latencies }.sorted()
        return Summary(
            options: options, succeeded: latencies.count, failed: perClient.reduce(0) { $0 + $1.failed },
            seconds: seconds, latencies: latencies
        )
    }

    /// What the client tasks share: the next request's number and the first error any of them saw.
    private final class Shared: Sendable {
        let next = Atomic(0)
        let firstError = Mutex<String?>(nil)
    }

    private static func send(_ kv: Etcdserverpb_KV.Client<HTTP2ClientTransport.Posix>, key: Data, _ options: Options) async throws {
        switch options.operation {
        case .put: _ = try await kv.put(options.put(key))
        case .range, .scrape, .paced, .authenticate: _ = try await kv.range(options.range(key))
        }
    }

    /// Key number `index`, zero-padded to the key size.
    static func key(_ index: Int, _ options: Options) -> Data {
        let digits = String(index)
        return Data((String(repeating: "0", count: options.keySize - digits.count) + digits).utf8)
    }

    /// The nearest-rank `fraction` percentile of ascending `sorted`, 0 if it is empty.
    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }
}
