import NIOConcurrencyHelpers
import Prometheus

/// etcd's per-request metrics of the member: client calls by API version and kind
/// (`etcd_server_client_requests_total`), the time each applied request took
/// (`etcd_server_apply_duration_seconds`), and the requests etcd counts as slow.
public struct RequestMetrics: Sendable {
    /// The kind of a client call, as etcd labels it.
    public enum CallKind: String, Sendable {
        case unary
        case stream
    }

    public let slowApplies: Counter
    public let slowReadIndexes: Counter
    private let registry: PrometheusCollectorRegistry
    /// The apply histograms made so far, so an apply does not search the registry.
    private let applyHistograms = NIOLockedValueBox<[ApplySeries: ValueHistogram]>([:])
    private static let applyBuckets = Buckets.exponential(start: 0.0001, factor: 2, count: 20)

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        self.slowApplies = registry.counter(
            name: "etcd_server_slow_apply_total",
            help: "The total number of slow apply requests (likely overloaded from slow disk)."
        )
        self.slowReadIndexes = registry.counter(
            name: "etcd_server_slow_read_indexes_total",
            help: "The total number of pending read indexes not in sync with leader's or timed out read index requests."
        )
    }

    /// The counter of client calls of `kind` from clients that sent `apiVersion` in their
    /// `client-api-version` header (etcd's label is `unknown` for those that sent none). Look it up once
    /// per connection and kind where calls are frequent: each lookup takes the registry's lock.
    public func clientRequests(_ kind: CallKind, apiVersion: String) -> Counter {
        self.registry.counter(
            name: "etcd_server_client_requests_total",
            labels: [("client_api_version", apiVersion), ("type", kind.rawValue)],
            help: "The total number of client requests per client version."
        )
    }

    /// The histogram of applying requests of kind `operation` (etcd's name of the request's field, such as
    /// `Put` or `LeaseGrant`) that succeeded or failed.
    public func applySeconds(operation: String, succeeded: Bool) -> ValueHistogram {
        let series = ApplySeries(operation: operation, succeeded: succeeded)
        if let histogram = self.applyHistograms.withLockedValue({ $0[series] }) { return histogram }
        let histogram = self.registry.histogram(
            name: "etcd_server_apply_duration_seconds",
            labels: [("op", operation), ("success", succeeded ? "true" : "false"), ("version", "v3")],
            buckets: Self.applyBuckets,
            help: "The latency distributions of v2 apply called by backend."
        )
        self.applyHistograms.withLockedValue { $0[series] = histogram }
        return histogram
    }
}

/// One series of `etcd_server_apply_duration_seconds`.
private struct ApplySeries: Hashable {
    let operation: String
    let succeeded: Bool
}
