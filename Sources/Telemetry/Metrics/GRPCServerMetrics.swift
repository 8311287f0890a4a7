import Prometheus

/// go-grpc-prometheus' server metrics, which etcd exports: RPCs started and handled (by code), stream
/// messages received and sent, and, with `--metrics=extensive`, handling time. Every method given at
/// creation is initialised to zero for every code, as go-grpc-prometheus does when etcd registers it.
public final class GRPCServerMetrics: Sendable {
    /// How a method streams, as go-grpc-prometheus labels it (`grpc_type`).
    public enum CallType: String, Sendable {
        case unary
        case clientStream = "client_stream"
        case serverStream = "server_stream"
        case bidiStream = "bidi_stream"
    }

    /// A method of a service, e.g. `etcdserverpb.KV` / `Range`, and how it streams.
    public struct Method: Sendable {
        public var service: String
        public var name: String
        public var type: CallType

        /// Describes a method.
        public init(service: String, name: String, type: CallType) {
            self.service = service
            self.name = name
            self.type = type
        }
    }

    /// The series of one method.
    public struct MethodSeries: Sendable {
        public let started: MethodMetric<Counter>
        public let messagesReceived: MethodMetric<Counter>
        public let messagesSent: MethodMetric<Counter>
        /// Nil unless handling-time histograms are enabled.
        public let handlingSeconds: MethodMetric<ValueHistogram>?
        private let handled: [MethodMetric<Counter>]

        init(
            started: MethodMetric<Counter>,
            messagesReceived: MethodMetric<Counter>,
            messagesSent: MethodMetric<Counter>,
            handlingSeconds: MethodMetric<ValueHistogram>?,
            handled: [MethodMetric<Counter>]
        ) {
            self.started = started
            self.messagesReceived = messagesReceived
            self.messagesSent = messagesSent
            self.handlingSeconds = handlingSeconds
            self.handled = handled
        }

        /// The `grpc_server_handled_total` series for status code `code` (0 OK … 16 Unauthenticated).
        public func handled(code: Int) -> MethodMetric<Counter> {
            self.handled[min(max(code, 0), self.handled.count - 1)]
        }
    }

    /// gRPC's status code names, indexed by code, as the `grpc_code` label spells them.
    public static let codeNames = [
        "OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded", "NotFound", "AlreadyExists",
        "PermissionDenied", "ResourceExhausted", "FailedPrecondition", "Aborted", "OutOfRange", "Unimplemented",
        "Internal", "Unavailable", "DataLoss", "Unauthenticated",
    ]

    private struct MethodKey: Hashable {
        var service: String
        var name: String
    }

    private let series: [MethodKey: MethodSeries]
    private let registry: PrometheusCollectorRegistry
    private let handlingTime: Bool

    /// Creates every series of `methods`; `handlingTime` adds `grpc_server_handling_seconds`.
    init(registry: PrometheusCollectorRegistry, methods: [Method], handlingTime: Bool) {
        self.registry = registry
        self.handlingTime = handlingTime
        var series: [MethodKey: MethodSeries] = [:]
        for method in methods {
            series[MethodKey(service: method.service, name: method.name)] = Self.series(
                of: method,
                registry: registry,
                handlingTime: handlingTime,
                onFirstUse: false
            )
        }
        self.series = series
    }

    /// The series of method `name` of `service` (e.g. `etcdserverpb.KV`, `Range`), or nil for a method not
    /// given at creation. Takes the two names apart so the per-call lookup builds no string.
    public func method(service: String, name: String) -> MethodSeries? {
        self.series[MethodKey(service: service, name: name)]
    }

    /// The series of `method`, which was not given at creation, each made when first updated: a handled
    /// series only for the codes its calls end with. go-grpc-prometheus' series of the services etcd registers
    /// after initialising it (Lock, Election) appear so.
    public func seriesOnFirstUse(of method: Method) -> MethodSeries {
        Self.series(of: method, registry: self.registry, handlingTime: self.handlingTime, onFirstUse: true)
    }

    /// The series of `method` in `registry`, made now or `onFirstUse`.
    private static func series(
        of method: Method,
        registry: PrometheusCollectorRegistry,
        handlingTime: Bool,
        onFirstUse: Bool
    ) -> MethodSeries {
        // In the order Go's client writes them: sorted by name.
        let labels = [("grpc_method", method.name), ("grpc_service", method.service), ("grpc_type", method.type.rawValue)]
        func metric<Metric: Sendable>(_ make: @escaping @Sendable () -> Metric) -> MethodMetric<Metric> {
            onFirstUse ? .onFirstUse(make) : .made(make())
        }
        func counter(_ name: String, _ labels: [(String, String)], _ help: String) -> MethodMetric<Counter> {
            metric { registry.counter(name: name, labels: labels, help: help) }
        }
        let handlingSeconds: MethodMetric<ValueHistogram>? =
            handlingTime
            ? metric {
                registry.histogram(
                    name: "grpc_server_handling_seconds",
                    labels: labels,
                    buckets: Buckets.goDefault,
                    help: "Histogram of response latency (seconds) of gRPC that had been application-level handled by the server."
                )
            }
            : nil
        return MethodSeries(
            started: counter("grpc_server_started_total", labels, "Total number of RPCs started on the server."),
            messagesReceived: counter(
                "grpc_server_msg_received_total",
                labels,
                "Total number of RPC stream messages received on the server."
            ),
            messagesSent: counter("grpc_server_msg_sent_total", labels, "Total number of gRPC stream messages sent by the server."),
            handlingSeconds: handlingSeconds,
            handled: Self.codeNames.map { code in
                counter(
                    "grpc_server_handled_total",
                    [("grpc_code", code)] + labels,
                    "Total number of RPCs completed on the server, regardless of success or failure."
                )
            }
        )
    }
}
