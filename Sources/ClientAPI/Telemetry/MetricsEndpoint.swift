import NIOCore
import Telemetry

/// `GET /metrics`: every metric of the member in Prometheus' text format, as etcd serves it on its client
/// URLs and on `--listen-metrics-urls`.
public enum MetricsEndpoint {
    /// Registers the endpoint on `router`, rendering `metrics` at each request.
    public static func register(on router: inout HTTPRouter, metrics: EtcdMetrics) {
        router.add("/metrics", methods: [.GET]) { _ in
            var body = ByteBufferAllocator().buffer(capacity: 0)
            body.writeBytes(metrics.render())
            return HTTPResponse(status: .ok, headers: ["Content-Type": EtcdMetrics.contentType], body: body)
        }
    }
}
