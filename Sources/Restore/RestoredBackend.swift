import Backend
import Logging
import Membership

/// Makes a backend holding a snapshot's data the backend of a new cluster's member: the old cluster's
/// membership goes, the new one is written, the consistent index and term become the restored log's,
/// and with `--bump-revision` the newest revision moves up and is marked for compaction (etcdutl's
/// `--mark-compacted`), so reads of older revisions answer as compacted.
enum RestoredBackend {
    /// Prepares `backend` and returns its newest revision.
    static func prepare(_ backend: Backend, membership: ClusterMembership, configuration: RestoreConfiguration, logger: Logger) throws -> Int64 {
        let meta = backend.database(EtcdBuckets.name(EtcdBuckets.meta))
        var mutations: [Mutation] = []
        var latest: Int64 = 0
        let view = try backend.read()
        do {
            for bucket in [EtcdBuckets.members, EtcdBuckets.membersRemoved, EtcdBuckets.cluster] {
                let database = backend.database(EtcdBuckets.name(bucket))
                try view.scan(database) { key, _ in
                    mutations.append(.delete(database, key: Array(key)))
                    return true
                }
            }
            if let last = try view.lastKey(backend.database(EtcdBuckets.name(EtcdBuckets.key))) {
                latest = Self.main(last)
            }
            for key in EtcdBuckets.Meta.carried {
                if let mark = try view.get(meta, key) { latest = max(latest, Self.main(mark)) }
            }
            view.close()
        } catch {
            view.close()
            throw error
        }
        if configuration.bumpRevision > 0 {
            let bumped = latest + Int64(configuration.bumpRevision)
            logger.info(
                "bumping latest revision",
                metadata: ["latest-revision": "\(latest)", "bump-amount": "\(configuration.bumpRevision)", "new-latest-revision": "\(bumped)"]
            )
            latest = bumped
            logger.info("marking revision compacted", metadata: ["revision": "\(latest)"])
            mutations.append(.put(meta, key: EtcdBuckets.Meta.scheduledCompactRevision, value: Self.revisionKey(latest)))
        }
        mutations.append(.put(meta, key: EtcdBuckets.Meta.consistentIndex, value: Self.bigEndian(RestoredLog.index)))
        mutations.append(.put(meta, key: EtcdBuckets.Meta.term, value: Self.bigEndian(RestoredLog.term)))
        mutations += try MembershipStore(backend: backend).writes(for: membership)
        try backend.writer.apply(mutations)
        try backend.writer.commitDurably()
        return latest
    }

    /// The main revision of a revision key (or of a 17-byte compaction mark).
    private static func main(_ key: [UInt8]) -> Int64 {
        Int64(bitPattern: key.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
    }

    /// etcd's 17-byte revision key for `main`.0.
    private static func revisionKey(_ main: Int64) -> [UInt8] {
        Self.bigEndian(UInt64(bitPattern: main)) + [UInt8(ascii: "_")] + [UInt8](repeating: 0, count: 8)
    }

    private static func bigEndian(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * UInt64($0))) }
    }
}
