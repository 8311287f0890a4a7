import Backend
import Checksums

/// The answer to `KVStore.hashKV`.
public struct HashKVResult: Sendable, Equatable {
    /// CRC-32C of the key-value history up to the revision asked for.
    public var hash: UInt32
    /// The store's current revision (the response header's revision).
    public var revision: Int64
    /// The compacted revision the hash honours (-1 when never compacted).
    public var compactRevision: Int64
}

extension KVStore {
    /// The keys etcd leaves out of `Maintenance.Hash` (`Backend.hash(ignoring:)`): the consistent index
    /// and its term differ between members that hold the same data.
    public static let hashIgnoredKeys: Set<IgnoredKey> = [
        IgnoredKey(database: "meta", key: MetaKeys.consistentIndex), IgnoredKey(database: "meta", key: MetaKeys.term),
    ]

    /// etcd's `HashKV`: CRC-32C of the name `key` and every revision key and value of the key database
    /// up to `revision` (the current one when 0), leaving out revisions at or below the compacted one
    /// that a compaction at `revision` would not keep. Members holding the same history answer the same
    /// hash whether or not they have finished compacting. Any thread. Throws `compacted` when
    /// `revision` is at or below the compacted revision and `futureRevision` above the current one.
    public func hashKV(revision: Int64 = 0) throws(KVError) -> HashKVResult {
        while true {
            let state = revisions
            if revision > 0, revision <= state.compacted {
                throw .compacted
            }
            if revision > state.current {
                throw .futureRevision
            }
            let atRev = revision == 0 ? state.current : revision
            let hash = try hashHistory(atRev: atRev, compacted: state.compacted)
            if compactedRevision == state.compacted {
                return HashKVResult(hash: hash, revision: state.current, compactRevision: state.compacted)
            }
        }
    }

    private func hashHistory(atRev: Int64, compacted: Int64) throws(KVError) -> UInt32 {
        let view = try readView()
        defer { view.close() }
        var crc = CRC32C()
        crc.update(keyDatabase.name)
        do throws(BackendError) {
            let filterCompacted = try index.hasKeep(atRev: atRev, view: view)
            var failure: BackendError?
            try view.scan(keyDatabase, to: RevisionKey.encode(Revision(main: atRev + 1))) { revisionBytes, valueBytes in
                let revision = RevisionKey.decode(revisionBytes)
                if filterCompacted, revision.main <= compacted {
                    guard let key = KeyValueFields.key(valueBytes) else { return true }
                    do throws(BackendError) {
                        if try index.keyIndex(key, view: view)?.keep(atRev: atRev) != revision {
                            return true
                        }
                    } catch {
                        failure = error
                        return false
                    }
                }
                crc.update(revisionBytes)
                crc.update(valueBytes)
                return true
            }
            if let failure {
                throw failure
            }
        } catch {
            throw .backend(error)
        }
        return crc.value
    }
}
