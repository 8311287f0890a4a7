import EtcdProto

/// A member as the cluster records it: its identity and peer URLs, which Raft membership changes set,
/// and the name and client URLs it publishes once it runs.
public struct Member: Sendable, Hashable {
    public var id: UInt64
    /// Empty until the member has started and published its attributes.
    public var name: String
    /// Sorted, as etcd keeps them.
    public var peerURLs: [String]
    /// Empty until the member has started and published its attributes.
    public var clientURLs: [String]
    public var isLearner: Bool

    /// Creates a member record; `peerURLs` are stored sorted.
    public init(id: UInt64, name: String = "", peerURLs: [String], clientURLs: [String] = [], isLearner: Bool = false) {
        self.id = id
        self.name = name
        self.peerURLs = peerURLs.sorted()
        self.clientURLs = clientURLs
        self.isLearner = isLearner
    }

    /// Whether the member has published its name and client URLs.
    public var isStarted: Bool { !self.name.isEmpty }

    /// The record as stored in the backend and carried in conf-change contexts.
    public var record: Memberpb_MemberRecord {
        var record = Memberpb_MemberRecord()
        record.id = self.id
        record.name = self.name
        record.peerUrls = self.peerURLs
        record.clientUrls = self.clientURLs
        record.isLearner = self.isLearner
        return record
    }

    /// A member from its stored record.
    public init(record: Memberpb_MemberRecord) {
        self.init(
            id: record.id,
            name: record.name,
            peerURLs: record.peerUrls,
            clientURLs: record.clientUrls,
            isLearner: record.isLearner
        )
    }

    /// The member as the Cluster API returns it.
    public var apiMember: Etcdserverpb_Member {
        var member = Etcdserverpb_Member()
        member.id = self.id
        member.name = self.name
        member.peerUrls = self.peerURLs
        member.clientUrls = self.clientURLs
        member.isLearner = self.isLearner
        return member
    }
}
