import EtcdGRPC
import GRPCCore
import Telemetry

/// The gRPC methods whose series exist (at zero) from the start, as go-grpc-prometheus labels them: those of the
/// services etcd registers before it initialises go-grpc-prometheus. The Lock and Election services come after
/// that in etcd, so their series appear as calls use them (``GRPCServerMetrics/seriesOnFirstUse(of:)``).
public enum ServedMethods {
    /// Every method of the KV, Watch, Lease, Cluster and Maintenance services.
    public static var all: [GRPCServerMetrics.Method] {
        let descriptors = Etcdserverpb_KV.Method.descriptors + Etcdserverpb_Watch.Method.descriptors
            + Etcdserverpb_Lease.Method.descriptors + Etcdserverpb_Cluster.Method.descriptors
            + Etcdserverpb_Maintenance.Method.descriptors
        return descriptors.map { descriptor in
            GRPCServerMetrics.Method(
                service: descriptor.service.fullyQualifiedService,
                name: descriptor.method,
                type: Self.callType(descriptor.type)
            )
        }
    }

    /// How go-grpc-prometheus labels a method of `type`.
    static func callType(_ type: MethodDescriptor.RPCType?) -> GRPCServerMetrics.CallType {
        switch type {
        case .clientStreaming: .clientStream
        case .serverStreaming: .serverStream
        case .bidirectionalStreaming: .bidiStream
        case .unary, nil: .unary
        }
    }
}
