import Logging
import Membership
import Raft

extension EtcdServer {
    /// `--force-new-cluster` on a restart, as etcd does it: the log's uncommitted tail is dropped and
    /// membership changes that remove every other member (and add this one, if the membership lacks it) are
    /// appended after the commit index and marked committed. Applying them leaves this member the only voter,
    /// with the data it had; the cluster keeps its ID. Nothing is written when this member is already alone.
    ///
    /// `membership` is the backend's at `consistentIndex`; the committed entries above it may change it
    /// before the appended ones apply, so they are taken into account. The commit index is the larger of
    /// the WAL's and the backend's (the apply loop can be ahead of the commit index last written).
    static func forceNewCluster(
        _ recovery: RaftLogRecovery,
        membership: ClusterMembership,
        consistentIndex: UInt64,
        configuration: ServerConfiguration,
        logger: Logger
    ) throws {
        let storage = recovery.storage
        let hardState = storage.initialState().hardState
        let commit = min(max(hardState.commit, consistentIndex), storage.lastIndex())
        let firstUnapplied = max(consistentIndex, storage.firstIndex() - 1) + 1
        let pending = commit >= firstUnapplied ? try storage.entries(lo: firstUnapplied, hi: commit + 1, maxBytes: .max) : []
        let members = try Self.memberIDs(membership, after: pending)
        let changes = try Self.forcedChanges(members: members, memberID: recovery.memberID, configuration: configuration)
        guard !changes.isEmpty else {
            logger.info("--force-new-cluster: this member is already the cluster's only member", metadata: ["commit-index": "\(commit)"])
            return
        }
        let discarded = storage.lastIndex() - commit
        if discarded > 0 {
            logger.info(
                "discarding uncommitted WAL entries",
                metadata: [
                    "entry-index": "\(commit + 1)",
                    "commit-index-from-wal": "\(hardState.commit)",
                    "number-of-discarded-entries": "\(discarded)",
                ]
            )
        }
        let entries = changes.enumerated().map { offset, change in
            Entry(term: hardState.term, index: commit + 1 + UInt64(offset), kind: .confChange, data: change.encoded())
        }
        let forced = HardState(term: hardState.term, vote: hardState.vote, commit: entries[entries.count - 1].index)
        recovery.wal.save(hardState: forced, entries: entries)
        storage.append(entries)
        storage.setHardState(forced)
        logger.info(
            "forcing restart member",
            metadata: [
                "cluster-id": "\(String(recovery.clusterID, radix: 16))",
                "local-member-id": "\(String(recovery.memberID, radix: 16))",
                "commit-index": "\(forced.commit)",
                "removed-members": "\(changes.filter { $0.kind == .remove }.map { String($0.nodeID, radix: 16) }.joined(separator: ","))",
            ]
        )
    }

    /// The members (voters and learners) once `entries` are applied on top of `membership`.
    private static func memberIDs(_ membership: ClusterMembership, after entries: [Entry]) throws -> Set<UInt64> {
        var ids = Set(membership.members.keys)
        for entry in entries where entry.kind == .confChange {
            let change = try ConfChange(decoding: entry.data)
            switch change.kind {
            case .addVoter, .addLearner: ids.insert(change.nodeID)
            case .remove: ids.remove(change.nodeID)
            case .update: break
            }
        }
        return ids
    }

    /// This member added first when missing (Raft must never be left without a voter), then every other
    /// member removed, in ID order.
    private static func forcedChanges(members: Set<UInt64>, memberID: UInt64, configuration: ServerConfiguration) throws -> [ConfChange] {
        var changes: [ConfChange] = []
        if !members.contains(memberID) {
            let member = Member(id: memberID, peerURLs: configuration.peerURLs)
            changes.append(ConfChange(kind: .addVoter, nodeID: memberID, context: try member.record.serializedBytes()))
        }
        for id in members.subtracting([memberID]).sorted() {
            changes.append(ConfChange(kind: .remove, nodeID: id))
        }
        return changes
    }
}
