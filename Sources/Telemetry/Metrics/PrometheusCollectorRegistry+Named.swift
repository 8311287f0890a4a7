import Prometheus

extension PrometheusCollectorRegistry {
    /// The counter `name` (with `labels`), made or found through swift-prometheus' descriptor API: etcd's
    /// full name is the descriptor's metric name, with no namespace, subsystem or unit added.
    func counter(name: String, labels: [(String, String)] = [], help: String) -> Counter {
        self.makeCounter(descriptor: Self.descriptor(name, help), labels: labels)
    }

    /// The gauge `name` (with `labels`), as ``counter(name:labels:help:)`` makes counters.
    func gauge(name: String, labels: [(String, String)] = [], help: String) -> Gauge {
        self.makeGauge(descriptor: Self.descriptor(name, help), labels: labels)
    }

    /// The histogram `name` (with `labels`) of `buckets`, as ``counter(name:labels:help:)`` makes counters.
    func histogram(name: String, labels: [(String, String)] = [], buckets: [Double], help: String) -> ValueHistogram {
        self.makeValueHistogram(descriptor: Self.descriptor(name, help), labels: labels, buckets: buckets)
    }

    private static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}
