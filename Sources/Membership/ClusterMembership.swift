import EtcdProto

/// The cluster's members as the applied log defines them: who is in, who was removed (ids are never
/// reused), and the cluster's id. Changes are validated with etcd's rules and errors before they are
/// proposed and again when they are applied, since the cluster may have changed in between.
public struct ClusterMembership: Sendable, Equatable {
    /// etcd 3.5 allows one learner at a time.
    public static let maxLearners = 1

    public private(set) var clusterID: UInt64
    public private(set) var members: [UInt64: Member]
    public private(set) var removed: Set<UInt64>

    /// A membership with the given state, e.g. as loaded from the backend.
    public init(clusterID: UInt64, members: [Member], removed: Set<UInt64> = []) {
        self.clusterID = clusterID
        self.members = Dictionary(uniqueKeysWithValues: members.map { ($0.id, $0) })
        self.removed = removed
    }

    /// The membership of a new cluster from `--initial-cluster` and `--initial-cluster-token`: ids derived
    /// from each member's peer URLs and the token, the cluster id from the member ids.
    public static func bootstrap(
        initialCluster: InitialCluster,
        token: String
    ) throws(ConfigurationError) -> ClusterMembership {
        var members: [Member] = []
        var ids: Set<UInt64> = []
        for entry in initialCluster.members {
            let id = MemberIdentity.memberID(peerURLs: entry.peerURLs, clusterToken: token)
            guard id != 0 else { throw ConfigurationError("cannot use 0 as member id") }
            guard ids.insert(id).inserted else {
                throw ConfigurationError("member exists with identical ID \(MemberIdentity.hex(id))")
            }
            members.append(Member(id: id, name: entry.name, peerURLs: entry.peerURLs))
        }
        let clusterID = MemberIdentity.clusterID(memberIDs: members.map(\.id))
        return ClusterMembership(clusterID: clusterID, members: members)
    }

    /// Members sorted by id, as MemberList returns them.
    public var sortedMembers: [Member] {
        self.members.values.sorted { $0.id < $1.id }
    }

    /// Voters' ids, sorted.
    public var voterIDs: [UInt64] {
        self.members.values.filter { !$0.isLearner }.map(\.id).sorted()
    }

    /// Learners' ids, sorted.
    public var learnerIDs: [UInt64] {
        self.members.values.filter(\.isLearner).map(\.id).sorted()
    }

    /// Checks a change against the current membership with etcd's rules; throws the client-facing error.
    public func validate(_ change: MembershipChange) throws(EtcdError) {
        let id = change.memberID
        if self.removed.contains(id) { throw .memberNotFound }
        switch change {
        case .add(let member):
            if self.members[id] != nil { throw .memberExists }
            let taken = Set(self.members.values.flatMap(\.peerURLs))
            if member.peerURLs.contains(where: taken.contains) { throw .peerURLExists }
            if member.isLearner && self.learnerIDs.count + 1 > Self.maxLearners { throw .tooManyLearners }
        case .promote:
            guard let member = self.members[id] else { throw .memberNotFound }
            if !member.isLearner { throw .memberNotLearner }
        case .remove:
            if self.members[id] == nil { throw .memberNotFound }
        case .update(_, let peerURLs):
            if self.members[id] == nil { throw .memberNotFound }
            let taken = Set(self.members.values.filter { $0.id != id }.flatMap(\.peerURLs))
            if peerURLs.contains(where: taken.contains) { throw .peerURLExists }
        }
    }

    /// Applies a change that ``validate(_:)`` accepted.
    public mutating func apply(_ change: MembershipChange) {
        switch change {
        case .add(let member):
            self.members[member.id] = member
        case .promote(let id):
            self.members[id]?.isLearner = false
        case .remove(let id):
            self.members[id] = nil
            self.removed.insert(id)
        case .update(let id, let peerURLs):
            self.members[id]?.peerURLs = peerURLs.sorted()
        }
    }

    /// Records the name and client URLs a running member published.
    public mutating func publish(id: UInt64, name: String, clientURLs: [String]) {
        self.members[id]?.name = name
        self.members[id]?.clientURLs = clientURLs
    }
}
