import EtcdProto
import Foundation

/// The deterministic workload of the crash tests: the child process applies it and the test replays it
/// on the model, so both derive batch `n` from `n` and the revision the store is at.
public enum CrashWorkload {
    /// One request of a batch.
    public enum Operation: Sendable {
        case put(Etcdserverpb_PutRequest)
        case delete(Etcdserverpb_DeleteRangeRequest)
        case txn(Etcdserverpb_TxnRequest)
        case compact(Int64)
    }

    /// Keys in play: few enough that keys are overwritten and deleted often.
    public static let keyCount = 60

    /// The requests of batch `batch` (a Raft entry's worth of work, applied with consistent index
    /// `batch`), given the store's current revision before it.
    public static func batch(_ batch: UInt64, currentRevision: Int64) -> [Operation] {
        var random = batch &* 0x9E37_79B9_7F4A_7C15 ^ 0xD1B5_4A32_D192_ED03
        func next() -> UInt64 {
            random ^= random << 13
            random ^= random >> 7
            random ^= random << 17
            return random
        }
        if batch % 37 == 0, currentRevision > 30 {
            return [.compact(currentRevision - Int64(next() % 20))]
        }
        var operations: [Operation] = []
        for index in 0..<(1 + next() % 4) {
            let key = Data("key-\(next() % UInt64(keyCount))".utf8)
            switch next() % 10 {
            case 0..<6:
                var request = Etcdserverpb_PutRequest()
                request.key = key
                request.value = Data(repeating: UInt8(truncatingIfNeeded: batch), count: Int(20 + next() % 300))
                request.prevKv = index == 0
                operations.append(.put(request))
            case 6..<8:
                var request = Etcdserverpb_DeleteRangeRequest()
                request.key = key
                if next() % 3 == 0 {
                    request.rangeEnd = Data("key-\(next() % UInt64(keyCount))".utf8)
                }
                operations.append(.delete(request))
            default:
                var put = Etcdserverpb_RequestOp()
                put.requestPut.key = Data("txn-\(next() % 10)".utf8)
                put.requestPut.value = Data("batch-\(batch)".utf8)
                var delete = Etcdserverpb_RequestOp()
                delete.requestDeleteRange.key = key
                var request = Etcdserverpb_TxnRequest()
                request.success = [put, delete]
                operations.append(.txn(request))
            }
        }
        return operations
    }
}
