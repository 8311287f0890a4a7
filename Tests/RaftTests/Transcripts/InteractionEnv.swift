import Raft

/// A group of ``RawNode``s wired to an in-memory network that moves messages only when told to, so every step of
/// an interaction is visible. Drives the transcript scenarios and the paper tests.
final class InteractionEnv {
    /// One member: its node, its durable storage and what it has applied.
    final class Member {
        let id: NodeID
        var node: RawNode
        let storage: MemoryStorage
        var config: RaftConfig
        /// The configuration as of the last applied entry or snapshot.
        var confState: ConfState
        /// Normal entries applied, in order.
        var applied: [Entry] = []
        var restarts: UInt64 = 0

        init(id: NodeID, node: RawNode, storage: MemoryStorage, config: RaftConfig, confState: ConfState) {
            self.id = id
            self.node = node
            self.storage = storage
            self.config = config
            self.confState = confState
        }
    }

    private(set) var members: [Member] = []
    /// Messages sent and not yet delivered, in send order.
    var inFlight: [Message] = []
    var isolated: Set<NodeID> = []
    /// Defaults for nodes added later: short timeouts keep transcripts small.
    var electionTicks = 3
    var heartbeatTicks = 1

    func member(_ id: NodeID) throws(HarnessError) -> Member {
        guard let member = self.members.first(where: { $0.id == id }) else { throw HarnessError("no node \(id)") }
        return member
    }

    /// Adds `count` members with the next ids. With `voters`, each starts from a snapshot at `index` (term 1) whose
    /// configuration is `voters` and `learners`; without, from empty storage (a member about to be added).
    @discardableResult
    func addNodes(_ count: Int, voters: [NodeID] = [], learners: [NodeID] = [], index: UInt64 = 1,
                  configure: (inout RaftConfig) -> Void = { _ in }) throws(HarnessError) -> [String] {
        var lines: [String] = []
        for _ in 0..<count {
            let id = NodeID(self.members.count + 1)
            let storage = MemoryStorage()
            let confState = ConfState(voters: voters, learners: learners)
            if !voters.isEmpty {
                let snapshot = Snapshot(metadata: SnapshotMetadata(index: index, term: 1, confState: confState))
                do { try storage.applySnapshot(snapshot) } catch { throw HarnessError("bootstrap: \(error)") }
            }
            var config = RaftConfig(id: id, randomSeed: id)
            config.electionTicks = self.electionTicks
            config.heartbeatTicks = self.heartbeatTicks
            configure(&config)
            let node: RawNode
            do {
                node = try RawNode(config: config, storage: storage)
            } catch {
                throw HarnessError("node \(id): \(error)")
            }
            self.members.append(Member(id: id, node: node, storage: storage, config: config, confState: confState))
            lines.append("node \(id): \(Describe.confState(confState)) \(Describe.basicStatus(node.basicStatus))")
        }
        return lines
    }

    /// Handles one Ready of `id` the way an owner must: persist, send, apply, advance.
    func processReady(_ id: NodeID) throws(HarnessError) -> [String] {
        let member = try self.member(id)
        let ready = member.node.ready()
        var lines = Describe.ready(ready)
        if let snapshot = ready.snapshot {
            do { try member.storage.applySnapshot(snapshot) } catch { throw HarnessError("apply snapshot: \(error)") }
            member.confState = snapshot.metadata.confState
        }
        member.storage.append(ready.entries)
        if let hardState = ready.hardState { member.storage.setHardState(hardState) }
        self.send(ready.messages)
        self.send(ready.messagesAfterPersist)
        for entry in ready.committedEntries {
            switch entry.kind {
            case .normal:
                if !entry.data.isEmpty { member.applied.append(entry) }
            case .confChange:
                guard let change = try? ConfChange(decoding: entry.data) else { throw HarnessError("bad conf change") }
                member.confState = member.node.applyConfChange(change)
                lines.append("applied \(Describe.confChange(change)): \(Describe.confState(member.confState))")
            }
        }
        member.node.advance(ready)
        return lines
    }

    func send(_ messages: [Message]) {
        for message in messages where !self.isolated.contains(message.from) && !self.isolated.contains(message.to) {
            self.inFlight.append(message)
        }
    }

    /// Steps every in-flight message addressed to `id` (or drops them), in send order.
    func deliver(to id: NodeID, drop: Bool = false) throws(HarnessError) -> [String] {
        let member = try self.member(id)
        let messages = self.inFlight.filter { $0.to == id }
        self.inFlight.removeAll { $0.to == id }
        var lines: [String] = []
        for message in messages {
            if drop {
                lines.append("dropped: \(Describe.message(message))")
                continue
            }
            lines.append(Describe.message(message))
            do {
                try member.node.step(message)
            } catch {
                lines.append("  error: \(error)")
            }
        }
        return lines
    }

    /// Processes Readies and delivers messages among `ids` (all members when empty) until nothing moves.
    func stabilize(_ ids: [NodeID] = []) throws(HarnessError) -> [String] {
        let chosen = ids.isEmpty ? self.members.map(\.id) : ids
        var lines: [String] = []
        while true {
            var moved = false
            for id in chosen where try self.member(id).node.hasReady() {
                moved = true
                lines.append("> \(id) handling Ready")
                lines.append(contentsOf: try self.processReady(id).map { "  " + $0 })
            }
            for id in chosen where self.inFlight.contains(where: { $0.to == id }) {
                moved = true
                lines.append("> \(id) receiving messages")
                lines.append(contentsOf: try self.deliver(to: id).map { "  " + $0 })
            }
            if !moved { return lines }
        }
    }

    /// Simulates a crash and restart: the node is rebuilt from its storage, losing what it had not persisted.
    /// Its state machine is rebuilt too, so committed entries after the snapshot are applied again.
    func restart(_ id: NodeID) throws(HarnessError) -> [String] {
        let member = try self.member(id)
        member.restarts += 1
        member.config.randomSeed = id &+ member.restarts &* 1_000
        member.confState = (try? member.storage.snapshot())?.metadata.confState ?? ConfState()
        member.applied = []
        do {
            member.node = try RawNode(config: member.config, storage: member.storage)
        } catch {
            throw HarnessError("restart \(id): \(error)")
        }
        return ["node \(id): \(Describe.confState(member.confState)) \(Describe.basicStatus(member.node.basicStatus))"]
    }

    func tick(_ id: NodeID, times: Int) throws(HarnessError) {
        let node = try self.member(id).node
        for _ in 0..<times { node.tick() }
    }

    /// Ticks a follower until it starts an election (at most twice the election timeout), or a leader for one
    /// election timeout (one check-quorum round).
    func tickElection(_ id: NodeID) throws(HarnessError) {
        let member = try self.member(id)
        let node = member.node
        if node.basicStatus.softState.role == .leader {
            for _ in 0..<member.config.electionTicks { node.tick() }
            return
        }
        let before = node.basicStatus
        for _ in 0..<(2 * member.config.electionTicks - 1) {
            node.tick()
            let now = node.basicStatus
            if now.softState.role != before.softState.role || now.hardState.term != before.hardState.term { return }
        }
    }

    func status(_ id: NodeID) throws(HarnessError) -> [String] {
        let status = try self.member(id).node.status()
        var lines = [Describe.basicStatus(status.basic) + " " + Describe.confState(status.confState)]
        for id in status.progress.keys.sorted() {
            lines.append(Describe.progress(id, status.progress[id]!))
        }
        return lines
    }

    func raftLog(_ id: NodeID) throws(HarnessError) -> [String] {
        let storage = try self.member(id).storage
        let first = storage.firstIndex()
        let last = storage.lastIndex()
        guard first <= last else { return ["no entries after the snapshot at \(last)"] }
        guard let entries = try? storage.entries(lo: first, hi: last + 1, maxBytes: .max) else {
            throw HarnessError("log of \(id) unreadable")
        }
        return entries.map(Describe.entry)
    }

    /// Snapshots the member's state at `index` (which it must have applied) and discards the log up to it.
    func compact(_ id: NodeID, index: UInt64) throws(HarnessError) -> [String] {
        let member = try self.member(id)
        let applied = member.node.basicStatus.applied
        guard index <= applied else { throw HarnessError("compact \(id) at \(index): only \(applied) is applied") }
        do {
            try member.storage.createSnapshot(index: index, confState: member.confState, data: [])
            try member.storage.compact(upTo: index)
        } catch {
            return ["error: \(error)"]
        }
        return try self.raftLog(id)
    }
}
