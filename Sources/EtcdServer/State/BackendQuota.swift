import Backend
import EtcdProto
import Logging

/// etcd's backend quota (`--quota-backend-bytes`): whether a request that grows the data fits, judged by
/// etcd's cost estimate against the data file's size. Requests that cannot grow it (reads, deletes,
/// compactions, alarms) always fit.
public struct BackendQuota: Sendable {
    /// etcd's fixed cost of one key-value write on top of its key and value.
    public static let keyValueOverheadBytes = 256
    /// etcd's fixed cost of granting a lease.
    public static let leaseOverheadBytes = 64

    /// The quota in bytes; nil when there is none (a negative `--quota-backend-bytes`).
    public let limitBytes: Int64?

    /// The quota `--quota-backend-bytes` describes: 0 is etcd's default, negative is none.
    public init(configuredBytes: Int64) {
        if configuredBytes < 0 {
            self.limitBytes = nil
        } else {
            self.limitBytes = configuredBytes == 0 ? BackendConfiguration.defaultQuotaBytes : configuredBytes
        }
    }

    /// etcd's suggested largest quota; above it the member warns at start.
    public static let maximumSuggestedBytes: Int64 = 8 * 1024 * 1024 * 1024

    /// Logs the quota as etcd does at start, with a warning when it exceeds the suggested maximum.
    func logSetting(_ logger: Logger) {
        guard let limitBytes else {
            logger.info("disabled backend quota", metadata: ["quota-name": "v3-applier"])
            return
        }
        if limitBytes > Self.maximumSuggestedBytes {
            logger.warning(
                "quota exceeds the maximum value",
                metadata: [
                    "quota-name": "v3-applier", "quota-size-bytes": "\(limitBytes)",
                    "quota-maximum-size-bytes": "\(Self.maximumSuggestedBytes)",
                ]
            )
        }
        logger.info("enabled backend quota", metadata: ["quota-name": "v3-applier", "quota-size-bytes": "\(limitBytes)"])
    }

    /// Whether a request costing `costBytes` (see ``cost(of:)``) fits: its cost is 0, or the data file plus
    /// its cost stays below the quota.
    public func admits(costBytes: Int, backend: Backend) -> Bool {
        guard costBytes > 0, let limitBytes else { return true }
        return backend.sizeBytes() + Int64(costBytes) < limitBytes
    }

    /// etcd's estimate of the bytes `request` adds: key, value and overhead per put (a txn costs its
    /// dearer branch, nested txns included), a fixed overhead per lease grant, nothing otherwise.
    public static func cost(of request: Memberpb_InternalRequest) -> Int {
        switch request.request {
        case .put(let put): cost(of: put)
        case .txn(let txn): cost(of: txn)
        case .leaseGrant: leaseOverheadBytes
        default: 0
        }
    }

    static func cost(of put: Etcdserverpb_PutRequest) -> Int {
        keyValueOverheadBytes + put.key.count + put.value.count
    }

    static func cost(of txn: Etcdserverpb_TxnRequest) -> Int {
        max(cost(of: txn.success), cost(of: txn.failure))
    }

    private static func cost(of operations: [Etcdserverpb_RequestOp]) -> Int {
        var total = 0
        for operation in operations {
            switch operation.request {
            case .requestPut(let put): total += cost(of: put)
            case .requestTxn(let nested): total += cost(of: nested)
            default: break
            }
        }
        return total
    }
}
