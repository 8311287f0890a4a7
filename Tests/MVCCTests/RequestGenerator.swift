import EtcdProto
import Foundation
import MVCC
import Raft

/// Random requests over a small key space, so that operations collide: puts with every flag, deletes
/// of keys, ranges and "from key" ranges, ranges with every option at past, current, compacted and
/// future revisions, txns with compares and nested txns (sometimes with duplicate keys or bad ops).
struct RequestGenerator {
    private static let keys = ["a", "b", "b/1", "b/2", "c", "d", "e/x", "e/y", "f", "g"]
    private static let leaseIDs: [Int64] = [0, 0, 0, 11, 12, 13]

    var random: SplitMix64

    mutating func chance(_ percent: UInt64) -> Bool { random.next() % 100 < percent }

    mutating func pick<T>(_ values: [T]) -> T { values[Int(random.next() % UInt64(values.count))] }

    mutating func number(_ range: ClosedRange<Int64>) -> Int64 {
        range.lowerBound + Int64(random.next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    mutating func key() -> Data { Data(pick(Self.keys).utf8) }

    mutating func rangeEnd(for key: Data) -> Data {
        switch random.next() % 5 {
        case 0: return Data([0])
        case 1: return Data(pick(Self.keys).utf8)
        case 2 where !key.isEmpty:
            var end = key
            end[end.count - 1] += 1
            return end
        default: return Data()
        }
    }

    mutating func leaseID() -> Int64 { pick(Self.leaseIDs) }

    mutating func put() -> Etcdserverpb_PutRequest {
        var request = Etcdserverpb_PutRequest()
        request.key = chance(2) ? Data() : key()
        request.prevKv = chance(30)
        request.ignoreValue = chance(10)
        request.ignoreLease = chance(10)
        request.value = request.ignoreValue && !chance(10) ? Data() : Data("v\(random.next() % 100)".utf8)
        request.lease = request.ignoreLease && !chance(10) ? 0 : leaseID()
        return request
    }

    mutating func delete() -> Etcdserverpb_DeleteRangeRequest {
        var request = Etcdserverpb_DeleteRangeRequest()
        request.key = key()
        request.rangeEnd = chance(60) ? Data() : rangeEnd(for: request.key)
        request.prevKv = chance(40)
        return request
    }

    mutating func range(current: Int64, compacted: Int64) -> Etcdserverpb_RangeRequest {
        var request = Etcdserverpb_RangeRequest()
        request.key = chance(2) ? Data() : key()
        request.rangeEnd = chance(30) ? Data() : rangeEnd(for: request.key)
        if chance(40) {
            request.revision = number(max(compacted - 2, -1)...(current + 2))
        }
        if chance(40) {
            request.limit = number(0...4)
        }
        request.countOnly = chance(10)
        request.keysOnly = chance(10)
        if chance(40) {
            request.sortOrder = pick([.none, .ascend, .descend, .UNRECOGNIZED(3)].dropLast(chance(3) ? 0 : 1).map { $0 })
            request.sortTarget = pick([.key, .version, .create, .mod, .value])
        }
        if chance(15) {
            request.minModRevision = number(0...current)
            request.maxCreateRevision = number(0...current)
        }
        if chance(15) {
            request.maxModRevision = number(0...current)
            request.minCreateRevision = number(0...current)
        }
        return request
    }

    mutating func compare() -> Etcdserverpb_Compare {
        var compare = Etcdserverpb_Compare()
        compare.key = key()
        if chance(20) {
            compare.rangeEnd = rangeEnd(for: compare.key)
        }
        compare.result = pick([.equal, .notEqual, .greater, .less])
        compare.target = pick([.version, .create, .mod, .value, .lease])
        switch compare.target {
        case .version: compare.targetUnion = .version(number(0...3))
        case .create: compare.targetUnion = .createRevision(number(0...20))
        case .mod: compare.targetUnion = .modRevision(number(0...20))
        case .value: compare.targetUnion = .value(Data("v\(random.next() % 100)".utf8))
        default: compare.targetUnion = .lease(leaseID())
        }
        return compare
    }

    mutating func txn(current: Int64, compacted: Int64, depth: Int = 0) -> Etcdserverpb_TxnRequest {
        var request = Etcdserverpb_TxnRequest()
        request.compare = (0..<number(0...2)).map { _ in compare() }
        request.success = (0..<number(0...3)).map { _ in operation(current: current, compacted: compacted, depth: depth) }
        request.failure = (0..<number(0...2)).map { _ in operation(current: current, compacted: compacted, depth: depth) }
        return request
    }

    private mutating func operation(current: Int64, compacted: Int64, depth: Int) -> Etcdserverpb_RequestOp {
        var operation = Etcdserverpb_RequestOp()
        switch random.next() % 100 {
        case 0..<35: operation.requestPut = put()
        case 35..<55: operation.requestDeleteRange = delete()
        case 55..<90: operation.requestRange = range(current: current, compacted: compacted)
        case 90..<98 where depth < 2: operation.requestTxn = txn(current: current, compacted: compacted, depth: depth + 1)
        default: break
        }
        return operation
    }
}
