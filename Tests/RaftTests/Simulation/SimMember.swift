import Raft

/// One simulated member: a ``RawNode`` while it runs, the storage that survives its crashes, and a state machine
/// that is durable like etcd's backend (its applied index and contents survive a crash).
final class SimMember {
    struct PendingReady {
        let ready: Ready
        /// The member's term when it took the Ready.
        let term: UInt64
    }

    let id: NodeID
    let storage = MemoryStorage()
    var config: RaftConfig
    var node: RawNode?
    /// A Ready whose immediate messages went out but which is not yet persisted (a slow disk). Lost in a crash.
    var pending: PendingReady?
    var restartAt: Int?
    var stopAt: Int?

    // The durable state machine: a digest chained over every applied entry.
    private(set) var appliedIndex: UInt64 = 0
    private(set) var digest: UInt64 = 0
    private(set) var confState = ConfState()

    /// The highest commit index whose entries were checked against the record.
    var commitChecked: UInt64 = 0

    init(id: NodeID, config: RaftConfig) {
        self.id = id
        self.config = config
    }

    /// Founding members start from a snapshot holding the initial configuration.
    func bootstrap(_ confState: ConfState, index: UInt64, digest: UInt64) {
        let metadata = SnapshotMetadata(index: index, term: 1, confState: confState)
        try! self.storage.applySnapshot(Snapshot(metadata: metadata, data: Self.encode(digest)))
        self.appliedIndex = index
        self.digest = digest
        self.confState = confState
        self.commitChecked = index
    }

    var isRunning: Bool { self.node != nil }

    /// Starts (or restarts) the node from storage, with a fresh election-jitter seed each time.
    func start() {
        self.config.randomSeed = self.config.randomSeed &+ 0x1234_5678_9ABC
        self.node = try! RawNode(config: self.config, storage: self.storage)
    }

    /// Loses everything not persisted: the node's memory and a Ready taken but not yet persisted.
    func crash() {
        self.node = nil
        self.pending = nil
    }

    /// Snapshots the state machine at its applied index and discards log entries up to `keep` entries before
    /// what the node has handed out for applying (after a restart the node hands out again what the state machine
    /// already holds, and those entries must stay until then).
    func compact(keeping keep: UInt64) {
        guard let node = self.node else { return }
        let applied = self.appliedIndex
        guard applied > self.storage.firstIndex(), applied <= self.storage.lastIndex() else { return }
        _ = try? self.storage.createSnapshot(index: applied, confState: self.confState, data: Self.encode(self.digest))
        let limit = min(applied, node.basicStatus.applied)
        let compactIndex = limit > keep ? limit - keep : 0
        if compactIndex >= self.storage.firstIndex() {
            try? self.storage.compact(upTo: compactIndex)
        }
    }

    // MARK: Applying

    /// Installs a leader's snapshot in the state machine.
    func installSnapshot(_ snapshot: Snapshot, checker: SimChecker) throws(SimViolation) {
        let index = snapshot.metadata.index
        guard index >= self.appliedIndex else {
            throw SimViolation("applied index of \(self.id) went back from \(self.appliedIndex) to snapshot \(index)")
        }
        self.appliedIndex = index
        self.digest = Self.decode(snapshot.data)
        self.confState = snapshot.metadata.confState
        self.commitChecked = max(self.commitChecked, index)
        try checker.checkDigest(self.digest, at: index, by: self.id)
    }

    /// Applies a committed entry; entries at or below the applied index come again after a restart and only
    /// rebuild the node's configuration.
    func apply(_ entry: Entry, commitTermBound: UInt64, checker: SimChecker) throws(SimViolation) {
        try checker.recordCommitted(entry, commitTermBound: commitTermBound, by: self.id)
        let change = entry.kind == .confChange ? try? ConfChange(decoding: entry.data) : nil
        if entry.kind == .confChange && change == nil { throw SimViolation("undecodable conf change") }
        if entry.index <= self.appliedIndex {
            if let change { self.node?.applyConfChange(change) }
            return
        }
        guard entry.index == self.appliedIndex + 1 else {
            throw SimViolation("\(self.id) applied \(entry.index) after \(self.appliedIndex)")
        }
        self.appliedIndex = entry.index
        self.digest = Self.chain(self.digest, entry)
        if let change, let node = self.node {
            self.confState = node.applyConfChange(change)
        }
        try checker.checkDigest(self.digest, at: entry.index, by: self.id)
    }

    static func chain(_ digest: UInt64, _ entry: Entry) -> UInt64 {
        var hash = digest ^ 0xCBF2_9CE4_8422_2325
        func mix(_ byte: UInt8) { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        for shift in stride(from: 0, to: 64, by: 8) { mix(UInt8(truncatingIfNeeded: entry.index >> UInt64(shift))) }
        for shift in stride(from: 0, to: 64, by: 8) { mix(UInt8(truncatingIfNeeded: entry.term >> UInt64(shift))) }
        mix(entry.kind.rawValue)
        for byte in entry.data { mix(byte) }
        return hash
    }

    static func encode(_ digest: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: digest >> (8 * UInt64($0))) }
    }

    static func decode(_ data: [UInt8]) -> UInt64 {
        data.prefix(8).enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
    }
}
