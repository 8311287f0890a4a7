import Backend
import EtcdProto

extension KVStore {
    /// Reads the keys of `range` at `options.revision` (the current revision when 0). Any thread.
    /// Throws `futureRevision` above the current revision and `compacted` below the compacted one
    /// (including when a compaction overtakes the read).
    public func range(_ range: KeyRange, options: RangeOptions = RangeOptions()) throws(KVError) -> RangeResult {
        configuration.statistics.countRead()
        let state = revisions
        var revision = options.revision
        if revision > state.current {
            throw .futureRevision
        }
        if revision <= 0 {
            revision = state.current
        }
        if revision < state.compacted {
            throw .compacted
        }
        let view = try readView()
        defer { view.close() }
        let found: (revisions: [Revision], total: Int)
        do {
            let limit = options.countOnly ? 1 : Int(clamping: max(options.limit, 0))
            found = try index.revisions(in: range, atRev: revision, limit: limit, view: view)
        } catch {
            throw .backend(error)
        }
        var keyValues: [Mvccpb_KeyValue] = []
        if !options.countOnly {
            keyValues.reserveCapacity(found.revisions.count)
            for stored in found.revisions {
                keyValues.append(try value(at: stored, readAt: revision, view: view))
            }
        }
        try checkNotCompacted(revision)
        return RangeResult(kvs: keyValues, count: found.total, revision: state.current)
    }

    /// The stored `KeyValue` at `stored`, read through `view` for a read at `readAt`.
    func value(at stored: Revision, readAt: Int64, view: ReadView) throws(KVError) -> Mvccpb_KeyValue {
        let decoded: Mvccpb_KeyValue??
        do {
            decoded = try view.withValue(keyDatabase, RevisionKey.encode(stored)) { $0.map(KeyValueCoding.decode) }
        } catch {
            throw .backend(error)
        }
        guard let present = decoded else {
            // Only a compaction that overtook this read removes an indexed revision.
            try checkNotCompacted(readAt)
            preconditionFailure("the key index holds revision \(stored) but the key database does not")
        }
        guard let keyValue = present else {
            throw .corrupt("the value at revision \(stored) is not a KeyValue")
        }
        return keyValue
    }

    /// Throws `compacted` when a compaction published since a read began has passed `revision`: the
    /// index and the read view may no longer hold that revision's history.
    func checkNotCompacted(_ revision: Int64) throws(KVError) {
        if revision < compactedRevision {
            throw .compacted
        }
    }
}
