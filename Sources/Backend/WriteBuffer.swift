import Synchronization

/// What a read view finds for a key in the write buffer.
enum BufferedLookup {
    /// The buffer holds no visible write of the key: read the committed LMDB snapshot.
    case notBuffered
    /// The key was deleted by a buffered write.
    case deleted
    /// The key holds this value in a buffered write.
    case value([UInt8])
}

/// The writes applied since the last LMDB commit, kept so that read views see every applied write
/// while LMDB commits (and fsyncs) only once per batch.
///
/// Every `publish` is one atomic step with a new sequence number; a read view remembers the sequence
/// number current when it opened and ignores later versions, so it sees a consistent snapshot: its
/// LMDB snapshot (the last commit) overlaid with the writes published up to its sequence number.
/// A commit replaces the buffer with an empty one; views opened before keep the old one.
///
/// Thread-safe: one writer (the apply thread) publishes, any number of readers look up.
final class WriteBuffer: Sendable {
    private struct Version {
        let sequence: UInt64
        let value: [UInt8]?
    }

    private struct Table {
        var versions: [HashedBytes: [Version]] = [:]
        var sortedKeys: [[UInt8]] = []

        mutating func record(_ key: [UInt8], _ version: Version) {
            let hashed = HashedBytes(key)
            if versions[hashed, default: []].isEmpty {
                insertSorted(key)
            }
            versions[hashed, default: []].append(version)
        }

        private mutating func insertSorted(_ key: [UInt8]) {
            if let last = sortedKeys.last, !Bytes.less(key, last) {
                sortedKeys.append(key)
                return
            }
            sortedKeys.insert(key, at: Bytes.lowerBound(of: key, in: sortedKeys))
        }

        func visible(_ key: [UInt8], at sequence: UInt64) -> Version? {
            guard let list = versions[HashedBytes(key)] else { return nil }
            return list.last { $0.sequence <= sequence }
        }
    }

    private struct State {
        var sequence: UInt64 = 0
        var tables: [Table]
        var operations = 0
    }

    private let state: Mutex<State>

    /// An empty buffer for a backend with `tableCount` databases.
    init(tableCount: Int) {
        state = Mutex(State(tables: [Table](repeating: Table(), count: tableCount)))
    }

    /// The sequence number of the latest published write.
    var sequence: UInt64 {
        state.withLock { $0.sequence }
    }

    /// True when nothing was published.
    var isEmpty: Bool {
        state.withLock { $0.operations == 0 }
    }

    /// Makes `mutations` visible to views opened from now on, all at once.
    func publish(_ mutations: [Mutation]) {
        state.withLock { state in
            state.sequence += 1
            let version = state.sequence
            for mutation in mutations {
                let value: [UInt8]?
                switch mutation.operation {
                case .put(let bytes): value = bytes
                case .delete: value = nil
                }
                state.tables[mutation.database.slot].record(mutation.key, Version(sequence: version, value: value))
            }
            state.operations += mutations.count
        }
    }

    /// The latest write of `key` in table `slot` published at or before `sequence`.
    func lookup(slot: Int, key: [UInt8], at sequence: UInt64) -> BufferedLookup {
        state.withLock { state in
            guard let version = state.tables[slot].visible(key, at: sequence) else { return .notBuffered }
            if let value = version.value {
                return .value(value)
            }
            return .deleted
        }
    }

    /// The buffered writes of table `slot` with keys in `[start, end)` (`end == nil`: no upper bound)
    /// visible at `sequence`, in key order; a nil value is a delete.
    func entries(slot: Int, from start: [UInt8], to end: [UInt8]?, at sequence: UInt64) -> [([UInt8], [UInt8]?)] {
        state.withLock { state in
            let table = state.tables[slot]
            var result: [([UInt8], [UInt8]?)] = []
            var index = Bytes.lowerBound(of: start, in: table.sortedKeys)
            while index < table.sortedKeys.count {
                let key = table.sortedKeys[index]
                if let end, !Bytes.less(key, end) {
                    break
                }
                if let version = table.visible(key, at: sequence) {
                    result.append((key, version.value))
                }
                index += 1
            }
            return result
        }
    }

    /// The final state of every buffered key, per table, in key order: what must be written again
    /// into a fresh LMDB transaction when the one holding these writes had to be aborted.
    func latestEntries() -> [(slot: Int, key: [UInt8], value: [UInt8]?)] {
        state.withLock { state in
            var result: [(slot: Int, key: [UInt8], value: [UInt8]?)] = []
            for (slot, table) in state.tables.enumerated() {
                for key in table.sortedKeys {
                    if let last = table.versions[HashedBytes(key)]?.last {
                        result.append((slot, key, last.value))
                    }
                }
            }
            return result
        }
    }
}
