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
        public let started: Counter
        public let messagesReceived: Counter
        public let messagesSent: Counter
        /// Nil unless handling-time histograms are enabled.
        public let handlingSeconds: ValueHistogram?
        private let handled: [Counter]

        init(started: Counter, messagesReceived: Counter, messagesSent: Counter, handlingSeconds: ValueHistogram?, handled: [Counter]) {
            self.started = started
            self.messagesReceived = messagesReceived
            self.messagesSent = messagesSent
            self.handlingSeconds = handlingSeconds
            self.handled = handled
        }

        /// The `grpc_server_handled_total` series for status code `code` (0 OK … 16 Unauthenticated).
        public func handled(code: Int) -> Counter {
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

    /// Creates every series of `methods`; `handlingTime` adds `grpc_server_handling_seconds`.
    init(registry: PrometheusCollectorRegistry, methods: [Method], handlingTime: Bool) {
        var series: [MethodKey: MethodSeries] = [:]
        for method in methods {
            // In the order Go's client writes them: sorted by name.
            let labels = [("grpc_method", method.name), ("grpc_service", method.service), ("grpc_type", method.type.rawValue)]
            let handled = Self.codeNames.map { code in
                registry.makeCounter(
                    name: "grpc_server_handled_total",
                    labels: [("grpc_code", code)] + labels,
                    help: "Total number of RPCs completed on the server, regardless of success or failure."
                )
            }
            series[MethodKey(service: method.service, name: method.name)] = MethodSeries(
                started: registry.makeCounter(
                    name: "grpc_server_started_total",
                    labels: labels,
                    help: "Total number of RPCs started on the server."
                ),
                messagesReceived: registry.makeCounter(
                    name: "grpc_server_msg_received_total",
                    labels: labels,
                    help: "Total number of RPC stream messages received on the server."
                ),
                messagesSent: registry.makeCounter(
                    name: "grpc_server_msg_sent_total",
                    labels: labels,
                    help: "Total number of gRPC stream messages sent by the server."
                ),
                handlingSeconds: handlingTime
                    ? registry.makeValueHistogram(
                        name: "grpc_server_handling_seconds",
                        labels: labels,
                        buckets: Buckets.goDefault,
                        help: "Histogram of response latency (seconds) of gRPC that had been application-level handled by the server."
                    )
                    : nil,
                handled: handled
            )
        }
        self.series = series
    }

    /// The series of method `name` of `service` (e.g. `etcdserverpb.KV`, `Range`), or nil for a method not
    /// given at creation. Takes the two names apart so the per-call lookup builds no string.
    public func method(service: String, name: String) -> MethodSeries? {
        self.series[MethodKey(service: service, name: name)]
    }
}
