import Backend
import EtcdProto
import Foundation

/// The cluster's membership as the backend keeps it: one record per member in `members` (keyed by the
/// 8-byte big-endian id), removed ids in `members_removed`, and the cluster id in `cluster`. Written in
/// the same backend batches as the data, so it always matches the consistent index.
public struct MembershipStore: Sendable {
    private let members: Database
    private let removed: Database
    private let cluster: Database
    private static let clusterIDKey = Array("clusterID".utf8)

    /// The membership databases of `backend`.
    public init(backend: Backend) {
        self.members = backend.database("members")
        self.removed = backend.database("members_removed")
        self.cluster = backend.database("cluster")
    }

    /// Reads the membership; nil when the backend holds none yet (a member that never applied anything).
    public func load(from backend: Backend) throws -> ClusterMembership? {
        let view = try backend.read()
        defer { view.close() }
        return try self.load(from: view)
    }

    /// Reads the membership as `view` sees it; nil when it holds none.
    public func load(from view: ReadView) throws -> ClusterMembership? {
        guard let clusterID = try view.get(self.cluster, Self.clusterIDKey).map(Self.decodeID) else { return nil }
        var records: [Member] = []
        var decodeFailure: (any Error)?
        try view.scan(self.members) { _, value in
            do {
                records.append(Member(record: try Memberpb_MemberRecord(serializedBytes: Array(value))))
                return true
            } catch {
                decodeFailure = error
                return false
            }
        }
        if let decodeFailure { throw decodeFailure }
        var removedIDs: Set<UInt64> = []
        try view.scan(self.removed) { key, _ in
            removedIDs.insert(Self.decodeID(Array(key)))
            return true
        }
        return ClusterMembership(clusterID: clusterID, members: records, removed: removedIDs)
    }

    /// The writes that store `membership` in full (on bootstrap and after installing a snapshot's state).
    public func writes(for membership: ClusterMembership) throws -> [Mutation] {
        var mutations = [Mutation.put(self.cluster, key: Self.clusterIDKey, value: Self.encodeID(membership.clusterID))]
        for member in membership.sortedMembers { mutations.append(try self.write(member)) }
        for id in membership.removed.sorted() {
            mutations.append(.put(self.removed, key: Self.encodeID(id), value: []))
        }
        return mutations
    }

    /// The writes for one applied change, given the membership after it.
    public func writes(for change: MembershipChange, after membership: ClusterMembership) throws -> [Mutation] {
        if case .remove(let id) = change {
            return [.delete(self.members, key: Self.encodeID(id)), .put(self.removed, key: Self.encodeID(id), value: [])]
        }
        guard let member = membership.members[change.memberID] else { return [] }
        return [try self.write(member)]
    }

    /// The write that stores one member's record (after it published its name and client URLs). Throws
    /// only if the record cannot be encoded, which the caller treats as fatal: an empty record would
    /// lose the member.
    public func write(_ member: Member) throws -> Mutation {
        .put(self.members, key: Self.encodeID(member.id), value: try member.record.serializedBytes())
    }

    private static func encodeID(_ id: UInt64) -> [UInt8] {
        withUnsafeBytes(of: id.bigEndian) { Array($0) }
    }

    private static func decodeID(_ bytes: [UInt8]) -> UInt64 {
        bytes.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }
}
