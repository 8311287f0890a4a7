import Backend
import EtcdProto
import Foundation

/// etcd's `applyCompare`: a compare holds when every key of its range satisfies it; on no key, a value
/// compare fails and the others compare the zero `KeyValue` (version, create and mod revision 0, no
/// lease). A read that fails is thrown, never taken for a false compare: on one member only it would send
/// the txn down the other branch.
enum TxnCompare {
    static func holds(_ compare: Etcdserverpb_Compare, in context: some KVReadContext) throws(KVError) -> Bool {
        let result = try context.range(KeyRange(key: compare.key, rangeEnd: compare.rangeEnd), options: RangeOptions())
        if result.kvs.isEmpty {
            if compare.target == .value {
                return false
            }
            return satisfies(compare, Mvccpb_KeyValue())
        }
        return result.kvs.allSatisfy { satisfies(compare, $0) }
    }

    private static func satisfies(_ compare: Etcdserverpb_Compare, _ keyValue: Mvccpb_KeyValue) -> Bool {
        let order: Int
        switch compare.target {
        case .value:
            var expected = Data()
            if case .value(let value) = compare.targetUnion {
                expected = value
            }
            order = RangeSorting.compareBytes(keyValue.value, expected)
        case .create:
            var expected: Int64 = 0
            if case .createRevision(let revision) = compare.targetUnion {
                expected = revision
            }
            order = compareIntegers(keyValue.createRevision, expected)
        case .mod:
            var expected: Int64 = 0
            if case .modRevision(let revision) = compare.targetUnion {
                expected = revision
            }
            order = compareIntegers(keyValue.modRevision, expected)
        case .version:
            var expected: Int64 = 0
            if case .version(let version) = compare.targetUnion {
                expected = version
            }
            order = compareIntegers(keyValue.version, expected)
        case .lease:
            var expected: Int64 = 0
            if case .lease(let lease) = compare.targetUnion {
                expected = lease
            }
            order = compareIntegers(keyValue.lease, expected)
        case .UNRECOGNIZED:
            order = 0
        }
        switch compare.result {
        case .equal: return order == 0
        case .notEqual: return order != 0
        case .greater: return order > 0
        case .less: return order < 0
        case .UNRECOGNIZED: return true
        }
    }

    private static func compareIntegers(_ lhs: Int64, _ rhs: Int64) -> Int {
        lhs == rhs ? 0 : (lhs < rhs ? -1 : 1)
    }
}
