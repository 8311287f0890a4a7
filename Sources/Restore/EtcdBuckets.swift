/// The buckets of etcd's backend file and the keys of its `meta` bucket, as Go etcd 3.4–3.6 name them.
/// A snapshot holds every bucket, in this (byte) order.
enum EtcdBuckets {
    static let alarm = Array("alarm".utf8)
    static let auth = Array("auth".utf8)
    static let authRoles = Array("authRoles".utf8)
    static let authUsers = Array("authUsers".utf8)
    static let cluster = Array("cluster".utf8)
    static let key = Array("key".utf8)
    static let lease = Array("lease".utf8)
    static let members = Array("members".utf8)
    static let membersRemoved = Array("members_removed".utf8)
    static let meta = Array("meta".utf8)

    /// Every bucket, sorted bytewise.
    static let all = [alarm, auth, authRoles, authUsers, cluster, key, lease, members, membersRemoved, meta]

    /// Buckets whose entries our backend keeps byte for byte as etcd does, under the same name.
    static let copiedVerbatim = [alarm, auth, authRoles, authUsers, key, lease]

    /// Keys of the `meta` bucket.
    enum Meta {
        static let confState = Array("confState".utf8)
        static let consistentIndex = Array("consistent_index".utf8)
        static let finishedCompactRevision = Array("finishedCompactRev".utf8)
        static let scheduledCompactRevision = Array("scheduledCompactRev".utf8)
        static let term = Array("term".utf8)
        /// The keys a restore carries over from a snapshot: the compaction marks. The rest (index, term,
        /// configuration) belongs to the old cluster.
        static let carried = [finishedCompactRevision, scheduledCompactRevision]
    }

    /// The `cluster` bucket's key for the cluster version.
    static let clusterVersionKey = Array("clusterVersion".utf8)
    /// The value of a `members_removed` entry.
    static let removedValue = Array("removed".utf8)

    /// The bucket name of `bytes` as text, for messages.
    static func name(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}
