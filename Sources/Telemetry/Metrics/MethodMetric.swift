import Prometheus

/// One counter or histogram of a gRPC method's series, made either with the metrics (at zero, visible from the
/// first scrape) or on each update, which makes it when first updated. go-grpc-prometheus does the first for
/// the methods registered when etcd initialises it and the second for those registered later (Lock, Election).
public struct MethodMetric<Metric: Sendable>: Sendable {
    private enum Source: Sendable {
        case made(Metric)
        /// The registry returns the series once made, and makes it the first time.
        case onUse(@Sendable () -> Metric)
    }

    private let source: Source

    /// A metric that exists already.
    static func made(_ metric: Metric) -> MethodMetric {
        MethodMetric(source: .made(metric))
    }

    /// A metric `make` makes (or finds) at each update.
    static func onFirstUse(_ make: @escaping @Sendable () -> Metric) -> MethodMetric {
        MethodMetric(source: .onUse(make))
    }

    private var metric: Metric {
        switch self.source {
        case .made(let metric): metric
        case .onUse(let make): make()
        }
    }
}

extension MethodMetric where Metric == Counter {
    /// Adds one.
    public func increment() {
        self.metric.increment()
    }

    /// Adds `count`.
    public func increment(by count: Int) {
        self.metric.increment(by: Int64(count))
    }
}

extension MethodMetric where Metric == ValueHistogram {
    /// Records one observation.
    public func record(_ value: Double) {
        self.metric.record(value)
    }
}
