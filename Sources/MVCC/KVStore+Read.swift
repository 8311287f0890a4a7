import Backend
import EtcdProto

extension KVStore {
    /// Reads the keys of `range` at `options.revision` (the current revision when 0). Any thread.
    /// Throws `futureRevision` above the current revision and `compacted` below the compacted one
    /// (including when a compaction overtakes the read).
    public func range(_ range: KeyRange, options: RangeOptions = RangeOptions()) throws(KVError) -> RangeResult {
        let (keyValues, total, current) = try lookUp(range, options) { found, revision, view throws(KVError) in
            var keyValues: [Mvccpb_KeyValue] = []
            if !options.countOnly {
                keyValues.reserveCapacity(found.count)
                for stored in found {
                    keyValues.append(try value(at: stored, readAt: revision, view: view))
                }
            }
            return keyValues
        }
        return RangeResult(kvs: keyValues, count: total, revision: current)
    }

    /// Reads the keys of `range` as ``range(_:options:)`` does, handing back each key-value as the bytes
    /// stored for it, framed as field `field` of a message: nothing is decoded or encoded again. Any thread.
    public func encodedRange(_ range: KeyRange, options: RangeOptions, field: UInt64) throws(KVError) -> EncodedKeyValues {
        let (bytes, total, current) = try lookUp(range, options) { found, revision, view throws(KVError) in
            var bytes: [UInt8] = []
            if !options.countOnly {
                for stored in found {
                    try appendValue(at: stored, readAt: revision, view: view, field: field, to: &bytes, expecting: found.count)
                }
            }
            return bytes
        }
        return EncodedKeyValues(bytes: bytes, total: total, revision: current)
    }

    /// The revisions of `range` at `options.revision` from the index, handed to `read` with the revision
    /// read at and a read view; returns what `read` made, how many keys the range holds and the current
    /// revision.
    private func lookUp<T>(
        _ range: KeyRange,
        _ options: RangeOptions,
        _ read: (_ found: [Revision], _ revision: Int64, _ view: ReadView) throws(KVError) -> T
    ) throws(KVError) -> (T, total: Int, current: Int64) {
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
        let made = try read(found.revisions, revision, view)
        try checkNotCompacted(revision)
        return (made, found.total, state.current)
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
            try missing(stored, readAt: readAt)
        }
        guard let keyValue = present else {
            throw .corrupt("the value at revision \(stored) is not a KeyValue")
        }
        return keyValue
    }

    /// Appends the bytes stored at `stored` as field `field`, read through `view` for a read at `readAt`.
    /// The first of `expecting` key-values sizes `bytes` for all of them. A stored value must start with its
    /// key (field 1), as every `KeyValue` etcd stores does.
    private func appendValue(
        at stored: Revision, readAt: Int64, view: ReadView, field: UInt64, to bytes: inout [UInt8], expecting: Int
    ) throws(KVError) {
        let appended: Bool?
        do {
            appended = try view.withValue(keyDatabase, RevisionKey.encode(stored)) { value -> Bool? in
                guard let value else { return nil }
                guard value.first == KeyValueCoding.keyTag else { return false }
                if bytes.isEmpty { bytes.reserveCapacity((value.count + 4) * expecting) }
                ProtobufWire.appendLengthDelimited(field: field, value, to: &bytes)
                return true
            }
        } catch {
            throw .backend(error)
        }
        guard let present = appended else {
            try missing(stored, readAt: readAt)
        }
        guard present else {
            throw .corrupt("the value at revision \(stored) is not a KeyValue")
        }
    }

    /// An indexed revision absent from the key database: only a compaction that overtook the read at
    /// `readAt` removes one (`compacted`); anything else is a broken invariant.
    private func missing(_ stored: Revision, readAt: Int64) throws(KVError) -> Never {
        try checkNotCompacted(readAt)
        preconditionFailure("the key index holds revision \(stored) but the key database does not")
    }

    /// Throws `compacted` when a compaction published since a read began has passed `revision`: the
    /// index and the read view may no longer hold that revision's history.
    func checkNotCompacted(_ revision: Int64) throws(KVError) {
        if revision < compactedRevision {
            throw .compacted
        }
    }
}
