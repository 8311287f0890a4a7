import Raft

/// Three members wired in memory: no I/O, no network. Messages go straight to their recipient; "persisting" is
/// appending to a `MemoryStorage`. Time spent inside `RawNode` calls is measured per member.
final class Cluster {
    final class Member {
        let node: RawNode
        let storage: MemoryStorage
        var inbox: [Message] = []
        /// Swapped with `inbox` while delivering, so neither buffer is reallocated.
        var delivering: [Message] = []
        /// Calls timed, to subtract the clock's own cost.
        var timedCalls: UInt64 = 0
        /// Nanoseconds spent inside `RawNode` calls.
        var raftNanoseconds: UInt64 = 0
        var applied: UInt64 = 0

        init(node: RawNode, storage: MemoryStorage) {
            self.node = node
            self.storage = storage
        }

        @inline(__always)
        func timed<T>(_ body: () throws -> T) rethrows -> T {
            let start = Clock.nanoseconds()
            defer {
                self.raftNanoseconds &+= Clock.nanoseconds() &- start
                self.timedCalls &+= 1
            }
            return try body()
        }
    }

    let members: [Member]

    init(size: Int) throws {
        let voters = (1...NodeID(size)).map { $0 }
        self.members = try voters.map { id in
            let storage = MemoryStorage()
            let confState = ConfState(voters: voters)
            try storage.applySnapshot(Snapshot(metadata: SnapshotMetadata(index: 1, term: 1, confState: confState)))
            var config = RaftConfig(id: id, randomSeed: id)
            config.maxSizePerMessageBytes = 1 << 20
            return Member(node: try RawNode(config: config, storage: storage), storage: storage)
        }
        self.members[0].node.campaign()
        self.settle()
        precondition(self.members[0].node.basicStatus.softState.role == .leader)
    }

    var leader: Member { self.members[0] }

    /// Runs Readies and deliveries until nothing moves.
    func settle() {
        var moved = true
        while moved {
            moved = false
            for member in self.members {
                if member.timed({ member.node.hasReady() }) {
                    self.handleReady(member)
                    moved = true
                }
            }
            for member in self.members where !member.inbox.isEmpty {
                swap(&member.inbox, &member.delivering)
                member.timed {
                    for message in member.delivering { try? member.node.step(message) }
                }
                member.delivering.removeAll(keepingCapacity: true)
                moved = true
            }
        }
    }

    private func handleReady(_ member: Member) {
        let ready = member.timed { member.node.ready() }
        self.route(ready.messages)
        if let snapshot = ready.snapshot { try? member.storage.applySnapshot(snapshot) }
        member.storage.append(ready.entries)
        if let hardState = ready.hardState { member.storage.setHardState(hardState) }
        self.route(ready.messagesAfterPersist)
        if let last = ready.committedEntries.last { member.applied = last.index }
        member.timed { member.node.advance(ready) }
    }

    private func route(_ messages: [Message]) {
        for message in messages {
            self.members[Int(message.to) - 1].inbox.append(message)
        }
    }

    /// Drops log entries the members have applied, as an owner bounding memory would.
    func compact() {
        for member in self.members where member.applied > member.storage.firstIndex() {
            try? member.storage.compact(upTo: member.applied - 1)
        }
    }
}
