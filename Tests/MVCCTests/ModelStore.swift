import EtcdProto
import Foundation
import MVCC

/// The reference for the model-based test: every key's full history in a dictionary, read by scanning,
/// written for clarity rather than speed. It keeps all history (compaction only moves the revision
/// below which reads fail), so a read at any readable revision can be answered directly.
struct ModelStore {
    /// One change of a key: its value after the change, or nil for a delete.
    struct Change {
        let revision: Int64
        let keyValue: Mvccpb_KeyValue?
    }

    private(set) var history: [[UInt8]: [Change]] = [:]
    var currentRevision: Int64 = 1
    var compactedRevision: Int64 = -1
    var leases: Set<Int64> = []

    /// The live keys at `revision`.
    func state(at revision: Int64) -> [[UInt8]: Mvccpb_KeyValue] {
        var state: [[UInt8]: Mvccpb_KeyValue] = [:]
        for (key, changes) in history {
            if let last = changes.last(where: { $0.revision <= revision }), let keyValue = last.keyValue {
                state[key] = keyValue
            }
        }
        return state
    }

    /// Records the changes of one revision.
    mutating func record(revision: Int64, _ changes: [([UInt8], Mvccpb_KeyValue?)]) {
        precondition(revision == currentRevision + 1)
        for (key, keyValue) in changes {
            history[key, default: []].append(Change(revision: revision, keyValue: keyValue))
        }
        currentRevision = revision
    }
}

/// A pending set of changes of one revision on top of a base state: what a txn sees of its own writes.
struct ModelWrite {
    let base: [[UInt8]: Mvccpb_KeyValue]
    let revision: Int64
    private(set) var live: [[UInt8]: Mvccpb_KeyValue]
    private(set) var changes: [([UInt8], Mvccpb_KeyValue?)] = []

    init(base: [[UInt8]: Mvccpb_KeyValue], revision: Int64) {
        self.base = base
        self.revision = revision
        live = base
    }

    mutating func put(_ key: [UInt8], value: Data, lease: Int64) {
        var keyValue = Mvccpb_KeyValue()
        keyValue.key = Data(key)
        keyValue.value = value
        keyValue.modRevision = revision
        keyValue.lease = lease
        if let existing = live[key] {
            keyValue.createRevision = existing.createRevision
            keyValue.version = existing.version + 1
        } else {
            keyValue.createRevision = revision
            keyValue.version = 1
        }
        live[key] = keyValue
        changes.append((key, keyValue))
    }

    mutating func delete(_ range: KeyRange) -> [[UInt8]] {
        let keys = live.keys.filter { range.contains($0) }.sorted { $0.lexicographicallyPrecedes($1) }
        for key in keys {
            live[key] = nil
            changes.append((key, nil))
        }
        return keys
    }
}
