import EtcdGRPC
import EtcdProto
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2

/// The scrape benchmark: opens `--watchers` watchers (spread over `--connections` watch streams), then
/// times `--total` scrapes of `/metrics` one after another while `--clients` writers keep putting, and
/// compares the writers' latency with and without scrapes going on.
enum Scrape {
    static func run(_ options: Options, on connections: [Connection]) async throws -> String {
        let endpoint = options.endpoints[0]
        let watches = Task { try await self.openWatchers(options, on: connections) }
        defer { watches.cancel() }
        try await self.waitUntilWatching(options.watchers, endpoint: endpoint)
        let quiet = try await self.putLatencies(options, connections, while: { try await Task.sleep(for: .seconds(5)) })
        var scrapes: [Double] = []
        var bytes = 0
        let busy = try await self.putLatencies(options, connections, while: {
            for _ in 0..<options.total {
                let began = ContinuousClock.now
                bytes = try HTTPGet.body(endpoint, path: "/metrics").count
                scrapes.append(Load.milliseconds(ContinuousClock.now - began))
            }
        })
        scrapes.sort()
        let fields: [(String, String)] = [
            ("op", "scrape"), ("watchers", "\(options.watchers)"), ("scrapes", "\(scrapes.count)"), ("bytes", "\(bytes)"),
            ("scrape_p50_ms", String(format: "%.2f", Load.percentile(scrapes, 0.5))),
            ("scrape_p99_ms", String(format: "%.2f", Load.percentile(scrapes, 0.99))),
            ("scrape_max_ms", String(format: "%.2f", scrapes.last ?? 0)),
            ("put_p99_ms_quiet", String(format: "%.2f", Load.percentile(quiet, 0.99))),
            ("put_p99_ms_scraping", String(format: "%.2f", Load.percentile(busy, 0.99))),
        ]
        return fields.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
    }

    /// Watch streams with `watchers / connections` watchers each, on distinct keys, open until cancelled.
    private static func openWatchers(_ options: Options, on connections: [Connection]) async throws {
        let perStream = (options.watchers + connections.count - 1) / connections.count
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (stream, connection) in connections.enumerated() {
                group.addTask {
                    try await Etcdserverpb_Watch.Client(wrapping: connection).watch { writer in
                        for index in 0..<perStream where stream * perStream + index < options.watchers {
                            var request = Etcdserverpb_WatchRequest()
                            request.createRequest.key = Data("watched/\(stream)/\(index)".utf8)
                            try await writer.write(request)
                        }
                        try await Task.sleep(for: .seconds(86_400))
                    } onResponse: { response in
                        for try await _ in response.messages {}
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// Polls the member's `etcd_debugging_mvcc_watcher_total` until it reaches `count`.
    private static func waitUntilWatching(_ count: Int, endpoint: MemberAddress) async throws {
        for _ in 0..<600 {
            let text = String(decoding: try HTTPGet.body(endpoint, path: "/metrics"), as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("etcd_debugging_mvcc_watcher_total ") }),
                let value = Double(line.split(separator: " ").last ?? ""), Int(value) >= count
            {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw UsageError("the member never reported \(count) watchers")
    }

    /// Put latencies (ms, ascending) of `--clients` writers running while `body` runs.
    private static func putLatencies(
        _ options: Options,
        _ connections: [Connection],
        while body: () async throws -> Void
    ) async throws -> [Double] {
        let writers = (0..<options.clients).map { index in
            Task {
                let kv = Etcdserverpb_KV.Client(wrapping: connections[index % connections.count])
                var latencies: [Double] = []
                var request = Etcdserverpb_PutRequest()
                request.key = Data("scrape-load/\(index)".utf8)
                request.value = Data(repeating: UInt8(ascii: "v"), count: options.valueSize)
                while !Task.isCancelled {
                    let began = ContinuousClock.now
                    do {
                        _ = try await kv.put(request)
                    } catch {
                        break
                    }
                    latencies.append(Load.milliseconds(ContinuousClock.now - began))
                }
                return latencies
            }
        }
        try await body()
        writers.forEach { $0.cancel() }
        var all: [Double] = []
        for writer in writers { all += await writer.value }
        return all.sorted()
    }
}
