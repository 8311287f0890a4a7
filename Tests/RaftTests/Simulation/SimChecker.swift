import Raft

/// A safety property that failed, with what the simulation saw.
struct SimViolation: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// The global record the invariants are checked against: every committed entry, every (index, term) any log
/// held, the leader of every term, and the state machine digest at every applied index.
final class SimChecker {
    struct CommittedEntry {
        let entry: Entry
        /// An upper bound on the term in which the entry was committed: the smallest term of a member that saw it
        /// committed (a leader commits in its own term; a follower learns of commits from its term's leader).
        var commitTermBound: UInt64
    }

    private struct LogKey: Hashable {
        let index: UInt64
        let term: UInt64
    }

    private struct LogRecord {
        let kind: Entry.Kind
        let data: [UInt8]
        /// The term of the entry before it in the log that held it, when known.
        var previousTerm: UInt64?
    }

    private(set) var committed: [UInt64: CommittedEntry] = [:]
    private(set) var maxCommittedIndex: UInt64 = 0
    /// The highest index applied anywhere: a client may have seen every write up to it acknowledged.
    private(set) var maxAppliedIndex: UInt64 = 0
    private var leaders: [UInt64: NodeID] = [:]
    private var logRecords: [LogKey: LogRecord] = [:]
    private var digests: [UInt64: UInt64] = [:]
    /// The configuration after every committed change up to `configCursor`, in log order.
    private(set) var latestConfig: ConfState
    private var configCursor: UInt64

    init(bootstrap: ConfState, bootstrapIndex: UInt64, bootstrapDigest: UInt64) {
        self.latestConfig = bootstrap
        self.configCursor = bootstrapIndex
        self.digests[bootstrapIndex] = bootstrapDigest
        self.maxAppliedIndex = bootstrapIndex
    }

    /// Election safety (Raft §5.2): at most one leader per term.
    func checkLeader(_ id: NodeID, term: UInt64) throws(SimViolation) {
        if let other = self.leaders[term], other != id {
            throw SimViolation("election safety: \(other) and \(id) both lead term \(term)")
        }
        self.leaders[term] = id
    }

    /// Log matching (Raft §5.3): two logs with an entry of the same index and term hold the same entry there and
    /// the same entry before it (hence, inductively, the same prefix).
    func checkAppended(_ entries: [Entry], previousTerm: UInt64?, by id: NodeID) throws(SimViolation) {
        var previous = previousTerm
        for entry in entries {
            let key = LogKey(index: entry.index, term: entry.term)
            if var record = self.logRecords[key] {
                guard record.kind == entry.kind, record.data == entry.data else {
                    throw SimViolation("log matching: \(id) holds a different entry at \(entry.term)/\(entry.index)")
                }
                if let known = record.previousTerm, let previous, known != previous {
                    throw SimViolation("log matching: \(id)'s entry before \(entry.term)/\(entry.index) has term "
                        + "\(previous), another log has \(known)")
                }
                if record.previousTerm == nil { record.previousTerm = previous }
                self.logRecords[key] = record
            } else {
                self.logRecords[key] = LogRecord(kind: entry.kind, data: entry.data, previousTerm: previous)
            }
            previous = entry.term
        }
    }

    /// State machine safety (Raft §5.4.3): an index, once committed anywhere, holds the same entry everywhere and
    /// forever.
    func recordCommitted(_ entry: Entry, commitTermBound: UInt64, by id: NodeID) throws(SimViolation) {
        if var known = self.committed[entry.index] {
            guard known.entry == entry else {
                throw SimViolation("committed entry changed at \(entry.index): \(Describe.entry(known.entry)) then "
                    + "\(Describe.entry(entry)) at \(id)")
            }
            if commitTermBound < known.commitTermBound {
                known.commitTermBound = commitTermBound
                self.committed[entry.index] = known
            }
        } else {
            self.committed[entry.index] = CommittedEntry(entry: entry, commitTermBound: commitTermBound)
            self.maxCommittedIndex = max(self.maxCommittedIndex, entry.index)
        }
    }

    /// Every member's state machine is the same after applying the same index.
    func checkDigest(_ digest: UInt64, at index: UInt64, by id: NodeID) throws(SimViolation) {
        if let known = self.digests[index] {
            guard known == digest else { throw SimViolation("state machine of \(id) diverged at index \(index)") }
        } else {
            self.digests[index] = digest
            self.maxAppliedIndex = max(self.maxAppliedIndex, index)
        }
    }

    /// Leader completeness (Raft §5.4): a leader of term `term` holds every entry committed in an earlier term.
    func checkLeaderCompleteness(_ id: NodeID, term: UInt64, storage: MemoryStorage) throws(SimViolation) {
        let first = storage.firstIndex()
        let last = storage.lastIndex()
        guard first <= self.maxCommittedIndex else { return }
        for index in first...self.maxCommittedIndex {
            guard let record = self.committed[index], record.commitTermBound < term else { continue }
            guard index <= last, let held = try? storage.term(index), held == record.entry.term else {
                throw SimViolation("leader completeness: leader \(id) of term \(term) lacks committed entry "
                    + "\(Describe.entry(record.entry)) committed by term \(record.commitTermBound)")
            }
        }
    }

    /// Folds newly contiguous committed configuration changes into ``latestConfig``; returns whether it changed.
    func advanceConfig() -> Bool {
        var changed = false
        while let next = self.committed[self.configCursor + 1] {
            self.configCursor += 1
            guard next.entry.kind == .confChange, let change = try? ConfChange(decoding: next.entry.data) else {
                continue
            }
            self.latestConfig = Self.applying(change, to: self.latestConfig)
            changed = true
        }
        return changed
    }

    static func applying(_ change: ConfChange, to state: ConfState) -> ConfState {
        var voters = state.voters.filter { $0 != change.nodeID }
        var learners = state.learners.filter { $0 != change.nodeID }
        switch change.kind {
        case .addVoter: voters.append(change.nodeID)
        case .addLearner: learners.append(change.nodeID)
        case .remove: break
        case .update: return state
        }
        return ConfState(voters: voters.sorted(), learners: learners.sorted())
    }

}
