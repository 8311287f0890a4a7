import EtcdProto
import Foundation
import MVCC

/// The expected answer to each request, computed from `ModelStore` by following etcd's rules as
/// documented (`apply.go`), independently of the store's index and backend.
struct ModelApplier {
    var model = ModelStore()

    // MARK: Reads

    mutating func range(_ request: Etcdserverpb_RangeRequest) -> Result<Etcdserverpb_RangeResponse, KVError> {
        Result { () throws(KVError) in
            try KVRequestValidation.check(request)
            return try range(request, live: nil, current: model.currentRevision)
        }
    }

    /// A range read; `live` is a txn's view of its own writes (used when reading at the txn's revision).
    private func range(
        _ request: Etcdserverpb_RangeRequest, live: [[UInt8]: Mvccpb_KeyValue]?, current: Int64
    ) throws(KVError) -> Etcdserverpb_RangeResponse {
        var revision = request.revision
        if revision > current {
            throw .futureRevision
        }
        if revision <= 0 {
            revision = current
        }
        if revision < model.compactedRevision {
            throw .compacted
        }
        let state = revision > model.currentRevision ? live! : model.state(at: revision)
        let keyRange = KeyRange(key: request.key, rangeEnd: request.rangeEnd)
        let found = state.values.filter { keyRange.contains(Array($0.key)) }
            .sorted { $0.key.lexicographicallyPrecedes($1.key) }
        var response = Etcdserverpb_RangeResponse()
        response.header.revision = current
        response.count = Int64(found.count)
        if request.countOnly {
            return response
        }
        // etcd reads the whole range only when it must sort or filter; with no sort order it reads
        // `limit + 1` keys in key order, and a sort target without an order then sorts just those.
        let readsWholeRange = request.sortOrder != .none || request.minModRevision != 0 || request.maxModRevision != 0
            || request.minCreateRevision != 0 || request.maxCreateRevision != 0
        let read = readsWholeRange || request.limit <= 0 ? found : Array(found.prefix(Int(request.limit) + 1))
        var kept = read.filter { keyValue in
            (request.maxModRevision == 0 || keyValue.modRevision <= request.maxModRevision)
                && (request.minModRevision == 0 || keyValue.modRevision >= request.minModRevision)
                && (request.maxCreateRevision == 0 || keyValue.createRevision <= request.maxCreateRevision)
                && (request.minCreateRevision == 0 || keyValue.createRevision >= request.minCreateRevision)
        }
        kept = sorted(kept, request)
        if request.limit > 0, kept.count > request.limit {
            kept = Array(kept.prefix(Int(request.limit)))
            response.more = true
        }
        if request.keysOnly {
            kept = kept.map { var keyValue = $0; keyValue.value = Data(); return keyValue }
        }
        response.kvs = kept
        return response
    }

    /// Sorted as etcd sorts, equal values in key order.
    private func sorted(_ keyValues: [Mvccpb_KeyValue], _ request: Etcdserverpb_RangeRequest) -> [Mvccpb_KeyValue] {
        var order = request.sortOrder
        if request.sortTarget != .key, order == .none {
            order = .ascend
        }
        if order == .none {
            return keyValues
        }
        func less(_ a: Mvccpb_KeyValue, _ b: Mvccpb_KeyValue) -> Bool? {
            switch request.sortTarget {
            case .key: return a.key == b.key ? nil : a.key.lexicographicallyPrecedes(b.key)
            case .version: return a.version == b.version ? nil : a.version < b.version
            case .create: return a.createRevision == b.createRevision ? nil : a.createRevision < b.createRevision
            case .mod: return a.modRevision == b.modRevision ? nil : a.modRevision < b.modRevision
            case .value: return a.value == b.value ? nil : a.value.lexicographicallyPrecedes(b.value)
            case .UNRECOGNIZED: return nil
            }
        }
        var result: [Mvccpb_KeyValue] = []
        for keyValue in keyValues {
            // Insertion sort: the new element goes after every element it does not strictly precede.
            var position = result.count
            while position > 0 {
                let comparison = less(keyValue, result[position - 1])
                let goesBefore = order == .descend ? comparison == false : comparison == true
                if !goesBefore { break }
                position -= 1
            }
            result.insert(keyValue, at: position)
        }
        return result
    }

    // MARK: Writes

    mutating func put(_ request: Etcdserverpb_PutRequest) -> Result<Etcdserverpb_PutResponse, KVError> {
        Result { () throws(KVError) in
            try KVRequestValidation.check(request)
            if request.lease != 0, !model.leases.contains(request.lease) {
                throw .leaseNotFound
            }
            var write = ModelWrite(base: model.state(at: model.currentRevision), revision: model.currentRevision + 1)
            let response = try put(request, &write)
            model.record(revision: write.revision, write.changes)
            return response
        }
    }

    private func put(_ request: Etcdserverpb_PutRequest, _ write: inout ModelWrite) throws(KVError) -> Etcdserverpb_PutResponse {
        let key = Array(request.key)
        let previous = write.live[key]
        if request.ignoreValue || request.ignoreLease, previous == nil {
            throw .keyNotFound
        }
        var response = Etcdserverpb_PutResponse()
        response.header.revision = write.revision
        if request.prevKv, let previous {
            response.prevKv = previous
        }
        write.put(key, value: request.ignoreValue ? previous!.value : request.value,
                  lease: request.ignoreLease ? previous!.lease : request.lease)
        return response
    }

    mutating func deleteRange(_ request: Etcdserverpb_DeleteRangeRequest) -> Result<Etcdserverpb_DeleteRangeResponse, KVError> {
        Result { () throws(KVError) in
            try KVRequestValidation.check(request)
            var write = ModelWrite(base: model.state(at: model.currentRevision), revision: model.currentRevision + 1)
            let response = deleteRange(request, &write)
            if !write.changes.isEmpty {
                model.record(revision: write.revision, write.changes)
            }
            return response
        }
    }

    private func deleteRange(_ request: Etcdserverpb_DeleteRangeRequest, _ write: inout ModelWrite) -> Etcdserverpb_DeleteRangeResponse {
        let range = KeyRange(key: request.key, rangeEnd: request.rangeEnd)
        var response = Etcdserverpb_DeleteRangeResponse()
        if request.prevKv {
            response.prevKvs = write.live.values.filter { range.contains(Array($0.key)) }
                .sorted { $0.key.lexicographicallyPrecedes($1.key) }
        }
        let deleted = write.delete(range)
        response.deleted = Int64(deleted.count)
        response.header.revision = write.changes.isEmpty ? write.revision - 1 : write.revision
        return response
    }

    mutating func txn(_ request: Etcdserverpb_TxnRequest) -> Result<Etcdserverpb_TxnResponse, KVError> {
        Result { () throws(KVError) in
            try KVRequestValidation.check(request, maxTxnOps: .max)
            let base = model.state(at: model.currentRevision)
            let path = decide(request, base)
            if !KVApplier.isReadOnly(request) {
                try checkPuts(request, path, base)
            }
            try checkRanges(request, path)
            var write = ModelWrite(base: base, revision: model.currentRevision + 1)
            var response = try run(request, path, &write)
            if write.changes.isEmpty {
                response.header.revision = model.currentRevision
            } else {
                response.header.revision = write.revision
                model.record(revision: write.revision, write.changes)
            }
            return response
        }
    }

    private indirect enum Path {
        case node(succeeded: Bool, nested: [Path])

        var succeeded: Bool { if case .node(let succeeded, _) = self { return succeeded }; return false }
        var nested: [Path] { if case .node(_, let nested) = self { return nested }; return [] }
    }

    private func decide(_ request: Etcdserverpb_TxnRequest, _ base: [[UInt8]: Mvccpb_KeyValue]) -> Path {
        let succeeded = request.compare.allSatisfy { holds($0, base) }
        let nested = (succeeded ? request.success : request.failure).compactMap { operation -> Path? in
            if case .requestTxn(let txn) = operation.request { return decide(txn, base) }
            return nil
        }
        return .node(succeeded: succeeded, nested: nested)
    }

    private func holds(_ compare: Etcdserverpb_Compare, _ base: [[UInt8]: Mvccpb_KeyValue]) -> Bool {
        let range = KeyRange(key: compare.key, rangeEnd: compare.rangeEnd)
        let keyValues = base.values.filter { range.contains(Array($0.key)) }
        if keyValues.isEmpty {
            return compare.target == .value ? false : satisfies(compare, Mvccpb_KeyValue())
        }
        return keyValues.allSatisfy { satisfies(compare, $0) }
    }

    private func satisfies(_ compare: Etcdserverpb_Compare, _ keyValue: Mvccpb_KeyValue) -> Bool {
        var order: Int
        switch (compare.target, compare.targetUnion) {
        case (.value, .value(let value)?): order = keyValue.value == value ? 0 : (keyValue.value.lexicographicallyPrecedes(value) ? -1 : 1)
        case (.value, _): order = keyValue.value.isEmpty ? 0 : 1
        case (.version, .version(let version)?): order = (keyValue.version > version ? 1 : 0) - (keyValue.version < version ? 1 : 0)
        case (.create, .createRevision(let revision)?):
            order = (keyValue.createRevision > revision ? 1 : 0) - (keyValue.createRevision < revision ? 1 : 0)
        case (.mod, .modRevision(let revision)?): order = (keyValue.modRevision > revision ? 1 : 0) - (keyValue.modRevision < revision ? 1 : 0)
        case (.lease, .lease(let lease)?): order = (keyValue.lease > lease ? 1 : 0) - (keyValue.lease < lease ? 1 : 0)
        case (.version, _): order = keyValue.version > 0 ? 1 : (keyValue.version < 0 ? -1 : 0)
        case (.create, _): order = keyValue.createRevision > 0 ? 1 : 0
        case (.mod, _): order = keyValue.modRevision > 0 ? 1 : 0
        case (.lease, _): order = keyValue.lease > 0 ? 1 : (keyValue.lease < 0 ? -1 : 0)
        default: order = 0
        }
        switch compare.result {
        case .equal: return order == 0
        case .notEqual: return order != 0
        case .greater: return order > 0
        case .less: return order < 0
        default: return true
        }
    }

    private func chosenOperations(_ request: Etcdserverpb_TxnRequest, _ path: Path) -> [(Etcdserverpb_RequestOp, Path?)] {
        var nested = path.nested.makeIterator()
        return (path.succeeded ? request.success : request.failure).map { operation in
            if case .requestTxn = operation.request { return (operation, nested.next()) }
            return (operation, nil)
        }
    }

    private func checkPuts(_ request: Etcdserverpb_TxnRequest, _ path: Path, _ base: [[UInt8]: Mvccpb_KeyValue]) throws(KVError) {
        for (operation, nested) in chosenOperations(request, path) {
            switch operation.request {
            case .requestPut(let put):
                if (put.ignoreValue || put.ignoreLease) && base[Array(put.key)] == nil {
                    throw .keyNotFound
                }
                if put.lease != 0, !model.leases.contains(put.lease) {
                    throw .leaseNotFound
                }
            case .requestTxn(let txn):
                try checkPuts(txn, nested!, base)
            default:
                continue
            }
        }
    }

    private func checkRanges(_ request: Etcdserverpb_TxnRequest, _ path: Path) throws(KVError) {
        for (operation, nested) in chosenOperations(request, path) {
            switch operation.request {
            case .requestRange(let range) where range.revision != 0:
                if range.revision > model.currentRevision { throw .futureRevision }
                if range.revision < model.compactedRevision { throw .compacted }
            case .requestTxn(let txn):
                try checkRanges(txn, nested!)
            default:
                continue
            }
        }
    }

    private func run(_ request: Etcdserverpb_TxnRequest, _ path: Path, _ write: inout ModelWrite) throws(KVError) -> Etcdserverpb_TxnResponse {
        var response = Etcdserverpb_TxnResponse()
        response.header = Etcdserverpb_ResponseHeader()
        response.succeeded = path.succeeded
        for (operation, nested) in chosenOperations(request, path) {
            var result = Etcdserverpb_ResponseOp()
            switch operation.request {
            case .requestRange(let range):
                let current = write.changes.isEmpty ? model.currentRevision : write.revision
                result.responseRange = try self.range(range, live: write.live, current: current)
            case .requestPut(let put):
                result.responsePut = try self.put(put, &write)
            case .requestDeleteRange(let delete):
                result.responseDeleteRange = deleteRange(delete, &write)
            case .requestTxn(let txn):
                result.responseTxn = try run(txn, nested!, &write)
            case nil:
                preconditionFailure("validated")
            }
            response.responses.append(result)
        }
        return response
    }

    // MARK: Compaction and leases

    mutating func compact(_ revision: Int64) -> Result<Int64, KVError> {
        if revision <= model.compactedRevision {
            return .failure(.compacted)
        }
        if revision > model.currentRevision {
            return .failure(.futureRevision)
        }
        model.compactedRevision = revision
        return .success(model.currentRevision)
    }

    mutating func grant(_ id: Int64) -> Result<Int64, KVError> {
        if id == 0 { return .failure(.leaseNotFound) }
        if model.leases.contains(id) { return .failure(.leaseExists) }
        model.leases.insert(id)
        return .success(model.currentRevision)
    }

    mutating func revoke(_ id: Int64) -> Result<Int64, KVError> {
        guard model.leases.remove(id) != nil else { return .failure(.leaseNotFound) }
        let base = model.state(at: model.currentRevision)
        var write = ModelWrite(base: base, revision: model.currentRevision + 1)
        for key in base.keys.filter({ base[$0]!.lease == id }).sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            _ = write.delete(KeyRange(key: key))
        }
        if !write.changes.isEmpty {
            model.record(revision: write.revision, write.changes)
        }
        return .success(model.currentRevision)
    }
}
