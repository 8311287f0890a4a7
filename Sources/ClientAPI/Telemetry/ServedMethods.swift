import EtcdGRPC
import GRPCCore
import Telemetry

/// The gRPC methods the client port serves, as go-grpc-prometheus labels them, so their series exist
/// (at zero) from the start, as etcd's do.
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

    private static func callType(_ type: MethodDescriptor.RPCType?) -> GRPCServerMetrics.CallType {
        switch type {
        case .clientStreaming: .clientStream
        case .serverStreaming: .serverStream
        case .bidirectionalStreaming: .bidiStream
        case .unary, nil: .unary
        }
    }
}
