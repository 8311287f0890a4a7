import Backend
import BoltFile
import EtcdProto
import GoFormat
import Logging

/// Copies what a bbolt snapshot holds into a new backend: the key history, leases, alarms, auth data and
/// the compaction marks, each entry checked (revision keys, `KeyValue` and `AlarmMember` encodings,
/// 17-byte compaction marks). Membership, cluster and Raft state (index, term, configuration) belong to
/// the old cluster and are left out; unknown buckets are left out with a log line.
enum SnapshotImport {
    /// Entries written per backend transaction.
    static let batchEntries = 10_000

    static func run(_ reader: BoltReader, into backend: Backend, logger: Logger) throws {
        var batch: [Mutation] = []
        for bucket in try reader.buckets() {
            let name = EtcdBuckets.name(bucket.name)
            guard EtcdBuckets.copiedVerbatim.contains(bucket.name) || bucket.name == EtcdBuckets.meta else {
                if !EtcdBuckets.all.contains(bucket.name) {
                    logger.warning("ignoring a bucket etcd does not have", metadata: ["bucket": "\(name)"])
                }
                continue
            }
            let database = backend.database(name)
            var cursor = reader.cursor(bucket)
            while let entry = try cursor.next() {
                guard !entry.isBucket else {
                    throw RestoreError("snapshot: bucket \(name) holds a nested bucket \(EntryText.key(entry.key))")
                }
                guard try self.accept(entry, in: bucket.name) else { continue }
                batch.append(.put(database, key: entry.key, value: entry.value))
                if batch.count >= self.batchEntries {
                    try self.flush(&batch, to: backend)
                }
            }
        }
        try self.flush(&batch, to: backend)
    }

    /// Whether `entry` of `bucket` is copied; throws when it cannot be what etcd keeps there.
    private static func accept(_ entry: BoltEntry, in bucket: [UInt8]) throws -> Bool {
        switch bucket {
        case EtcdBuckets.key:
            let isRevision = entry.key.count == 17 || (entry.key.count == 18 && entry.key[17] == UInt8(ascii: "t"))
            guard isRevision, entry.key[8] == UInt8(ascii: "_") else {
                throw RestoreError("snapshot: bucket key: \(EntryText.key(entry.key)) is not a revision")
            }
            do {
                _ = try Mvccpb_KeyValue(serializedBytes: entry.value)
            } catch {
                throw RestoreError("snapshot: bucket key: the value at revision \(EntryText.revision(entry.key)) is not a KeyValue")
            }
            return true
        case EtcdBuckets.alarm:
            do {
                _ = try Etcdserverpb_AlarmMember(serializedBytes: entry.key)
            } catch {
                throw RestoreError("snapshot: bucket alarm: \(EntryText.key(entry.key)) is not an AlarmMember")
            }
            return true
        case EtcdBuckets.meta:
            guard EtcdBuckets.Meta.carried.contains(entry.key) else { return false }
            guard entry.value.count == 17 else {
                throw RestoreError("snapshot: meta \(EtcdBuckets.name(entry.key)) is \(entry.value.count) bytes, not a 17-byte revision")
            }
            return true
        default:
            return true
        }
    }

    private static func flush(_ batch: inout [Mutation], to backend: Backend) throws {
        guard !batch.isEmpty else { return }
        try backend.writer.apply(batch)
        try backend.writer.commit()
        batch.removeAll(keepingCapacity: true)
    }
}

/// Entries as messages show them.
enum EntryText {
    /// A key, Go-quoted, at most 64 bytes of it.
    static func key(_ bytes: [UInt8]) -> String {
        GoQuote.quote(bytes.prefix(64))
    }

    /// A revision key as `main.sub`.
    static func revision(_ key: [UInt8]) -> String {
        let main = key.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let sub = key.dropFirst(9).prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return "\(Int64(bitPattern: main)).\(Int64(bitPattern: sub))"
    }
}
