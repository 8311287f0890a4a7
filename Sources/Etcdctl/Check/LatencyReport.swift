import Foundation
import Synchronization

/// What a check's requests did (etcd's `pkg/report` statistics): how many succeeded and how fast, and how
/// many failed with each error.
final class LatencyReport: Sendable {
    private struct Results {
        var latencies: [Double] = []
        var errors: [String: Int] = [:]
    }

    private let results = Mutex(Results())
    private let started = ContinuousClock.now

    /// Records one request that took `seconds`, failed with `error` when given.
    func record(seconds: Double, error: String?) {
        self.results.withLock { results in
            if let error {
                results.errors[error, default: 0] += 1
            } else {
                results.latencies.append(seconds)
            }
        }
    }

    /// The figures so far: successful requests per second since the report began, the slowest successful
    /// request and the population standard deviation of their latencies (seconds), and each error's message
    /// with how often it happened.
    func summary() -> LatencySummary {
        let elapsed = ContinuousClock.now - self.started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return self.results.withLock { results in
            let latencies = results.latencies
            let mean = latencies.isEmpty ? 0 : latencies.reduce(0, +) / Double(latencies.count)
            let variance = latencies.isEmpty ? 0 : latencies.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(latencies.count)
            return LatencySummary(
                requestsPerSecond: seconds > 0 ? Double(latencies.count) / seconds : 0,
                slowest: latencies.max() ?? 0,
                standardDeviation: variance.squareRoot(),
                errors: results.errors.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            )
        }
    }
}

/// A ``LatencyReport``'s figures at one moment.
struct LatencySummary: Sendable {
    let requestsPerSecond: Double
    let slowest: Double
    let standardDeviation: Double
    let errors: [(message: String, count: Int)]
}
