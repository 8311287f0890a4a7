import Backend
import EtcdProto
import Foundation

/// etcd's range post-processing: the revision filters and the sort of `RangeRequest`.
enum RangeSorting {
    /// Drops the key-values outside the request's mod and create revision bounds (0: no bound).
    static func filter(_ keyValues: [Mvccpb_KeyValue], _ request: Etcdserverpb_RangeRequest) -> [Mvccpb_KeyValue] {
        keyValues.filter { keyValue in
            if request.maxModRevision != 0, keyValue.modRevision > request.maxModRevision { return false }
            if request.minModRevision != 0, keyValue.modRevision < request.minModRevision { return false }
            if request.maxCreateRevision != 0, keyValue.createRevision > request.maxCreateRevision { return false }
            if request.minCreateRevision != 0, keyValue.createRevision < request.minCreateRevision { return false }
            return true
        }
    }

    /// Sorts as the request asks. A target other than the key with no order means ascending, as in
    /// etcd. Equal sort values keep key order (etcd leaves their order unspecified).
    static func sort(_ keyValues: [Mvccpb_KeyValue], _ request: Etcdserverpb_RangeRequest) -> [Mvccpb_KeyValue] {
        var order = request.sortOrder
        if request.sortTarget != .key, order == .none {
            order = .ascend
        }
        guard order != .none else { return keyValues }
        let ascending: (Mvccpb_KeyValue, Mvccpb_KeyValue) -> Int = { lhs, rhs in
            switch request.sortTarget {
            case .key: compareBytes(lhs.key, rhs.key)
            case .version: compare(lhs.version, rhs.version)
            case .create: compare(lhs.createRevision, rhs.createRevision)
            case .mod: compare(lhs.modRevision, rhs.modRevision)
            case .value: compareBytes(lhs.value, rhs.value)
            case .UNRECOGNIZED: 0
            }
        }
        let descending = order == .descend
        let indexed = keyValues.enumerated().map { ($0.offset, $0.element) }
        return indexed.sorted { lhs, rhs in
            let result = ascending(lhs.1, rhs.1)
            if result != 0 {
                return descending ? result > 0 : result < 0
            }
            return lhs.0 < rhs.0
        }.map(\.1)
    }

    private static func compare(_ lhs: Int64, _ rhs: Int64) -> Int {
        lhs == rhs ? 0 : (lhs < rhs ? -1 : 1)
    }

    static func compareBytes(_ lhs: Data, _ rhs: Data) -> Int {
        lhs.withUnsafeBytes { left in rhs.withUnsafeBytes { right in Bytes.compare(left, right) } }
    }
}
