import Backend
import BoltFile
import EtcdProto
import Membership
import Raft

/// Writes what one read view of a member's backend holds as the bbolt file Go etcd's `Snapshot` streams:
/// etcd's ten buckets with etcd's encodings. Key, lease, alarm and auth entries are copied byte for byte
/// (our backend keeps them as etcd does); membership is written as etcd's JSON under hex ids; `meta`
/// holds the consistent index, term, configuration and compaction marks; `cluster` the cluster version.
/// Entries our backend keeps for itself (the persisted key index) are left out.
public enum SnapshotExport {
    /// Writes the file through `writer` and finishes it. Throws when the view cannot be read, holds no
    /// membership, or the file cannot be written.
    public static func write(_ backend: Backend, view: ReadView, to writer: BoltWriter) throws -> BoltMeta {
        var receiver = writer
        try self.export(backend, view: view, into: &receiver)
        return try writer.finish()
    }

    /// Plans the file the view makes (``BoltLayoutPlanner``), for a ``BoltWriter`` that streams it: a
    /// pass over the view that reads sizes only.
    public static func layout(_ backend: Backend, view: ReadView, options: BoltWriter.Options = BoltWriter.Options()) throws -> BoltLayout {
        var planner = try BoltLayoutPlanner(options: options)
        try self.export(backend, view: view, into: &planner)
        return planner.finish()
    }

    /// Hands etcd's buckets and their entries, in file order, to `receiver`.
    public static func export(_ backend: Backend, view: ReadView, into receiver: inout some BoltEntryReceiver) throws {
        guard let membership = try MembershipStore(backend: backend).load(from: view) else {
            throw RestoreError("the backend holds no membership to export")
        }
        for bucket in EtcdBuckets.all {
            try receiver.beginBucket(bucket)
            switch bucket {
            case EtcdBuckets.cluster:
                try receiver.put(EtcdBuckets.clusterVersionKey, Array(EtcdVersion.cluster.utf8))
            case EtcdBuckets.members:
                for (key, member) in membership.members.values.map({ (Array(String($0.id, radix: 16).utf8), $0) }).sorted(by: { $0.0.lexicographicallyPrecedes($1.0) }) {
                    try receiver.put(key, EtcdJSON.member(member))
                }
            case EtcdBuckets.membersRemoved:
                for key in membership.removed.map({ Array(String($0, radix: 16).utf8) }).sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                    try receiver.put(key, EtcdBuckets.removedValue)
                }
            case EtcdBuckets.meta:
                try self.exportMeta(backend, view: view, membership: membership, into: &receiver)
            default:
                try self.copy(backend.database(EtcdBuckets.name(bucket)), view: view, into: &receiver)
            }
        }
    }

    private static func exportMeta(_ backend: Backend, view: ReadView, membership: ClusterMembership, into receiver: inout some BoltEntryReceiver) throws {
        let meta = backend.database(EtcdBuckets.name(EtcdBuckets.meta))
        var entries = [(EtcdBuckets.Meta.confState, EtcdJSON.confState(ConfState(voters: membership.voterIDs, learners: membership.learnerIDs)))]
        for key in [EtcdBuckets.Meta.consistentIndex, EtcdBuckets.Meta.term] + EtcdBuckets.Meta.carried {
            if let value = try view.get(meta, key) { entries.append((key, value)) }
        }
        for (key, value) in entries.sorted(by: { $0.0.lexicographicallyPrecedes($1.0) }) {
            try receiver.put(key, value)
        }
    }

    private static func copy(_ database: Database, view: ReadView, into receiver: inout some BoltEntryReceiver) throws {
        var failure: (any Error)?
        try view.scan(database) { key, value in
            do {
                try receiver.put(key: key, value: value)
                return true
            } catch {
                failure = error
                return false
            }
        }
        if let failure { throw failure }
    }
}

extension BoltEntryReceiver {
    /// `put(key:value:)` from arrays.
    fileprivate mutating func put(_ key: [UInt8], _ value: [UInt8]) throws {
        try key.withUnsafeBytes { key in
            try value.withUnsafeBytes { value in
                try self.put(key: key, value: value)
            }
        }
    }
}
