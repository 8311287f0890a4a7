import NIOConcurrencyHelpers
import Prometheus

/// Every metric a member exports, with etcd's names, help texts, types, labels and buckets, in one
/// Prometheus registry. Counters and histograms are updated where things happen; gauges that describe a
/// state (sizes, counts, indexes) are set by samplers just before each scrape renders the registry.
public final class EtcdMetrics: Sendable {
    /// `--metrics`: `basic`, or `extensive`, which adds gRPC handling-time histograms.
    public enum Level: String, Sendable, CaseIterable {
        case basic
        case extensive
    }

    public let registry: PrometheusCollectorRegistry
    public let server: ServerMetrics
    public let disk: DiskMetrics
    public let mvcc: MVCCMetrics
    public let compaction: CompactionMetrics
    public let requests: RequestMetrics
    public let snapshot: SnapshotMetrics
    public let lease: LeaseMetrics
    public let network: NetworkMetrics
    public let grpc: GRPCServerMetrics
    private let process: ProcessMetrics
    private let samplers = NIOLockedValueBox<[@Sendable () -> Void]>([])
    /// Serialises scrapes, so samplers and rendering never interleave.
    private let scrape = NIOLock()

    /// Creates the registry and every metric; `grpcMethods` are the methods the member serves.
    public init(level: Level = .basic, grpcMethods: [GRPCServerMetrics.Method]) {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        self.server = ServerMetrics(registry: registry)
        self.disk = DiskMetrics(registry: registry)
        self.mvcc = MVCCMetrics(registry: registry)
        self.compaction = CompactionMetrics(registry: registry)
        self.requests = RequestMetrics(registry: registry)
        self.snapshot = SnapshotMetrics(registry: registry)
        self.lease = LeaseMetrics(registry: registry)
        self.network = NetworkMetrics(registry: registry)
        self.grpc = GRPCServerMetrics(registry: registry, methods: grpcMethods, handlingTime: level == .extensive)
        self.process = ProcessMetrics(registry: registry)
    }

    /// Adds `sampler`, run before every scrape to set the gauges it owns. Samplers must be quick: a
    /// scrape runs them all in order.
    public func addSampler(_ sampler: @escaping @Sendable () -> Void) {
        self.samplers.withLockedValue { $0.append(sampler) }
    }

    /// Runs the samplers and renders every metric in Prometheus' text format (version 0.0.4).
    public func render() -> [UInt8] {
        self.scrape.withLock {
            for sampler in self.samplers.withLockedValue({ $0 }) { sampler() }
            if let descriptors = self.process.sample() {
                self.server.fileDescriptorsUsed.set(to: Double(descriptors.open))
                self.server.fileDescriptorsLimit.set(to: Double(descriptors.limit))
            }
            var text = self.registry.emitToBuffer()
            GoFloatFormat.normalise(&text)
            return text
        }
    }

    /// The content type of ``render()``'s output.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"
}
