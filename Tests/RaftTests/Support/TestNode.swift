import Raft

/// A single node on a hand-built storage, for tests that feed it messages and inspect its answers.
struct TestNode {
    let node: RawNode
    let storage: MemoryStorage

    /// A node whose storage holds a snapshot at `snapshotIndex` (term 1) with `voters` and `learners`, then
    /// `entries`, and `hardState`.
    init(id: NodeID, voters: [NodeID], learners: [NodeID] = [], snapshotIndex: UInt64 = 1, entries: [Entry] = [],
         hardState: HardState? = nil, configure: (inout RaftConfig) -> Void = { _ in }) throws {
        let storage = MemoryStorage()
        let confState = ConfState(voters: voters, learners: learners)
        try storage.applySnapshot(Snapshot(metadata: SnapshotMetadata(index: snapshotIndex, term: 1,
                                                                      confState: confState)))
        storage.append(entries)
        if let hardState { storage.setHardState(hardState) }
        var config = RaftConfig(id: id, randomSeed: id)
        config.electionTicks = 10
        config.heartbeatTicks = 1
        configure(&config)
        self.node = try RawNode(config: config, storage: storage)
        self.storage = storage
    }

    /// Persists and acknowledges everything pending; returns the Ready handled.
    @discardableResult
    func drain() throws -> Ready {
        let ready = self.node.ready()
        if let snapshot = ready.snapshot { try self.storage.applySnapshot(snapshot) }
        self.storage.append(ready.entries)
        if let hardState = ready.hardState { self.storage.setHardState(hardState) }
        self.node.advance(ready)
        return ready
    }

    /// All messages of a Ready, immediate and after-persist.
    static func messages(_ ready: Ready) -> [Message] {
        ready.messages + ready.messagesAfterPersist
    }

    var status: BasicStatus { self.node.basicStatus }

    func log() throws -> [Entry] {
        try self.storage.entries(lo: self.storage.firstIndex(), hi: self.storage.lastIndex() + 1, maxBytes: .max)
    }
}

/// Entries of the given terms starting at `index`.
func entries(terms: [UInt64], from index: UInt64) -> [Entry] {
    terms.enumerated().map { Entry(term: $1, index: index + UInt64($0), data: Array("e\(index + UInt64($0))".utf8)) }
}
