/// The keys MVCC keeps in the `meta` database, named as etcd names them.
enum MetaKeys {
    static let consistentIndex = Array("consistent_index".utf8)
    static let term = Array("term".utf8)
    static let scheduledCompactRevision = Array("scheduledCompactRev".utf8)
    static let finishedCompactRevision = Array("finishedCompactRev".utf8)
}
