/// Histogram bucket bounds as Prometheus' Go client makes them.
public enum Buckets {
    /// `count` upper bounds starting at `start`, each `factor` times the one before (Go's
    /// `prometheus.ExponentialBuckets`, which etcd uses for every histogram of its own).
    public static func exponential(start: Double, factor: Double, count: Int) -> [Double] {
        precondition(start > 0 && factor > 1 && count > 0, "exponential buckets need start > 0, factor > 1, count > 0")
        var bounds: [Double] = []
        bounds.reserveCapacity(count)
        var bound = start
        for _ in 0..<count {
            bounds.append(bound)
            bound *= factor
        }
        return bounds
    }

    /// Go's `prometheus.DefBuckets`, used by go-grpc-prometheus for `grpc_server_handling_seconds`.
    public static let goDefault: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
}
