import Foundation
import Logging
import NIOCore
import NIOPosix
import Raft
import Synchronization
import WAL

/// The member's Raft loop: one dedicated thread that owns the Raft node, its in-memory log and the durable
/// log. It ticks the node on the heartbeat clock, feeds it what arrives in its inbox, and handles each
/// `Ready` in the order Raft requires:
///
/// 1. messages that need nothing durable are sent at once (a leader's appends travel while it fsyncs);
/// 2. the snapshot, entries and hard state are made durable (one fsync for the whole Ready: group commit)
///    and added to the in-memory log;
/// 3. messages that acknowledge durable state (votes, append responses) are sent;
/// 4. committed entries go to the apply loop — and when they hold a membership change or a snapshot, the
///    loop waits for them to be applied, because the node's configuration must change in log order;
/// 5. confirmed read indexes are handed on, and the Ready is acknowledged.
///
/// Committed entries that come before a Ready's first new entry (all of them when it has none, none when it
/// has a snapshot) are in the durable log already: they go to the apply loop first (step 4 before step 2),
/// so the fsync of the entries proposed since, or the write of the new commit index, does not delay their
/// answers. The rest (a follower can learn of a commit before its own copy of the entry is durable) waits
/// for the fsync.
///
/// The thread is the one event loop of `eventLoopGroup`, which the peer transport's connections share: a
/// peer's message is read, decoded and stepped on this thread, and the loop writes its messages to the
/// peers' sockets itself, so a Raft message crosses no other thread on either side (a hand-off wakes a
/// sleeping thread, the dearest step of a round between members on a small machine).
final class RaftLoop: @unchecked Sendable {
    /// Set by the first ``stop()``; a second returns at once (its task could never run on the ended loop).
    private let stopRequested = Atomic<Bool>(false)
    // Everything below `inbox` is touched only by the loop's own thread, after `start()`.
    let inbox: RaftInbox
    private let eventLoopGroup: MultiThreadedEventLoopGroup
    private let eventLoop: any EventLoop
    private let node: RawNode
    private let storage: MemoryStorage
    private let logStore: any RaftLogStore
    private let sender: any RaftMessageSender
    private let applier: ApplyLoop
    private weak var delegate: (any RaftLoopDelegate)?
    private let tickInterval: TimeAmount
    private let catchUpEntries: UInt64
    private let logger: Logger
    private var ticker: RepeatedTask?
    private var stopped = false
    private var lastCommit: UInt64 = 0
    private var publishedImmediateReadIndex: UInt64?
    private var heartbeats: HeartbeatTimeliness

    init(
        inbox: RaftInbox,
        eventLoopGroup: MultiThreadedEventLoopGroup,
        node: RawNode,
        storage: MemoryStorage,
        logStore: any RaftLogStore,
        sender: any RaftMessageSender,
        applier: ApplyLoop,
        delegate: any RaftLoopDelegate,
        tickInterval: Duration,
        catchUpEntries: UInt64,
        logger: Logger
    ) {
        self.inbox = inbox
        self.eventLoopGroup = eventLoopGroup
        self.eventLoop = eventLoopGroup.next()
        self.node = node
        self.storage = storage
        self.logStore = logStore
        self.sender = sender
        self.applier = applier
        self.delegate = delegate
        let (seconds, attoseconds) = tickInterval.components
        self.tickInterval = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        self.heartbeats = HeartbeatTimeliness(heartbeatInterval: tickInterval)
        self.catchUpEntries = catchUpEntries
        self.logger = logger
    }

    /// Names the thread, starts ticking and taking inputs.
    func start() {
        self.eventLoop.execute { [self] in
            Thread.current.name = "raft"
            self.ticker = self.eventLoop.scheduleRepeatedTask(initialDelay: self.tickInterval, delay: self.tickInterval) { _ in
                self.tick()
            }
        }
        self.inbox.open(on: self.eventLoop) { [self] in self.takeInputs() }
    }

    /// Stops the loop after the current Ready, once it handled the inputs queued before, and ends its thread.
    /// Call once the peer transport has stopped: its connections share the thread.
    func stop() async {
        guard !self.stopRequested.exchange(true, ordering: .relaxed) else { return }
        self.inbox.close()
        do {
            try await self.eventLoop.submit { [self] in
                self.takeInputs()
                self.stopped = true
                self.ticker?.cancel()
            }.get()
            try await self.eventLoopGroup.shutdownGracefully()
        } catch {
            self.logger.warning("the Raft loop's thread did not stop cleanly", metadata: ["error": "\(error)"])
        }
    }

    /// One turn: the inputs that arrived since the last, then every Ready they produced.
    private func takeInputs() {
        guard !self.stopped else { return }
        for input in self.inbox.take() { self.handle(input) }
        self.processReadies()
    }

    private func tick() {
        guard !self.stopped else { return }
        self.node.tick()
        self.processReadies()
    }

    private func processReadies() {
        while self.node.hasReady() {
            self.process(self.node.ready())
        }
        self.publishImmediateReadIndex()
    }

    private func handle(_ input: RaftInput) {
        switch input {
        case .message(let message):
            do {
                try self.node.step(message)
            } catch {
                self.logger.debug("dropped a Raft message", metadata: ["type": "\(message.type)", "error": "\(error)"])
            }
            if message.type == .snapshot, let index = message.snapshot?.metadata.index {
                self.sender.receivedSnapshotStepped(index: index, taken: self.node.pendingSnapshotIndex == index)
            }
        case .propose(let id, let data):
            do {
                try self.node.propose(data)
                self.delegate?.proposalAccepted(id: id, term: self.node.term)
            } catch {
                self.delegate?.proposalRejected(id: id, error: error)
            }
        case .proposeConfChange(let id, let change):
            do {
                try self.node.proposeConfChange(change)
                self.delegate?.proposalAccepted(id: id, term: self.node.term)
            } catch {
                self.delegate?.proposalRejected(id: id, error: error)
            }
        case .readIndex(let context):
            do {
                try self.node.readIndex(context: context)
            } catch {
                // No leader or a full queue: the read round asks again (every 500 ms) until it times out.
                self.logger.debug("dropped a read index request", metadata: ["error": "\(error)"])
            }
        case .transferLeadership(let transferee):
            self.node.transferLeadership(to: transferee)
        case .campaign:
            self.node.campaign()
        case .advanceTicks(let ticks):
            for _ in 0..<ticks { self.node.tick() }
        case .status(let reply):
            reply(self.node.status())
        case .unreachable(let peer):
            self.node.reportUnreachable(peer)
        case .snapshotStatus(let peer, let status):
            self.node.reportSnapshot(peer, status: status)
        case .compactLog(let metadata):
            self.compactLog(at: metadata)
        }
    }

    /// `entries` with their data copied on this thread. The in-memory log keeps an entry until a snapshot
    /// compacts it, up to `--snapshot-count` entries later; the bytes a request arrived in were allocated on
    /// an event loop among its short-lived buffers, where each kept entry would pin a page of that thread's
    /// heap after the compaction. Copies made here lie in the Raft thread's heap in log order, so a
    /// compaction frees whole runs of pages for the scavenger to return.
    private static func copiesOwnedHere(_ entries: [Entry]) -> [Entry] {
        entries.map { entry in
            guard !entry.data.isEmpty else { return entry }
            var copy = entry
            copy.data = entry.data.withUnsafeBufferPointer { Array($0) }
            return copy
        }
    }

    private func process(_ ready: Ready) {
        self.publishImmediateReadIndex()
        if let softState = ready.softState {
            self.heartbeats.reset()
            self.delegate?.leadershipChanged(softState, term: self.node.basicStatus.hardState.term)
        }
        self.dispatch(ready.messages)
        let durable = ready.durableCommittedCount
        if durable > 0 {
            self.publishCommit(of: ready.hardState)
            self.apply(snapshot: nil, entries: durable == ready.committedEntries.count ? ready.committedEntries : Array(ready.committedEntries.prefix(durable)))
        }
        if let snapshot = ready.snapshot {
            self.logStore.saveSnapshot(snapshot)
        }
        self.logStore.save(hardState: ready.hardState, entries: ready.entries, mustSync: ready.mustSync)
        if let snapshot = ready.snapshot {
            do {
                try self.storage.applySnapshot(snapshot)
            } catch {
                preconditionFailure("Raft handed out snapshot \(snapshot.metadata.index) older than its log: \(error)")
            }
        }
        self.storage.append(Self.copiesOwnedHere(ready.entries))
        if let hardState = ready.hardState {
            self.storage.setHardState(hardState)
            self.publishCommit(of: hardState)
        }
        self.dispatch(ready.messagesAfterPersist)
        if ready.snapshot != nil { CrashPoint.snapshotInstallBeforeApply.reach() }
        if ready.snapshot != nil || durable < ready.committedEntries.count {
            self.apply(snapshot: ready.snapshot, entries: Array(ready.committedEntries.dropFirst(durable)))
        }
        if !ready.readStates.isEmpty {
            self.delegate?.readStatesConfirmed(ready.readStates)
        }
        self.node.advance(ready)
    }

    /// Tells the delegate when the read index Raft would answer without a round changed. Called before a
    /// Ready's messages leave: while a published index stands, no vote or acknowledgement this member sent
    /// since can have let another member lead or commit, so a read served at it from another thread is as
    /// linearizable as one Raft confirmed.
    private func publishImmediateReadIndex() {
        let index = self.node.immediateReadIndex
        guard index != self.publishedImmediateReadIndex else { return }
        self.publishedImmediateReadIndex = index
        self.delegate?.immediateReadIndexChanged(to: index)
    }

    /// Tells the delegate the commit index moved (before anything at the new index is applied, so the
    /// applied index never shows above it).
    private func publishCommit(of hardState: HardState?) {
        guard let commit = hardState?.commit, commit > self.lastCommit else { return }
        self.lastCommit = commit
        self.delegate?.committed(upTo: commit)
    }

    /// Sends messages, handing snapshot messages to the sender's snapshot path.
    private func dispatch(_ messages: [Raft.Message]) {
        guard !messages.isEmpty else { return }
        for (peer, exceededBy) in self.heartbeats.late(among: messages, at: .now) {
            self.delegate?.heartbeatSentLate(
                to: peer, exceededBy: exceededBy, heartbeatInterval: self.heartbeats.heartbeatInterval, expectedGap: self.heartbeats.maximumGap
            )
        }
        if messages.contains(where: { $0.type == .snapshot }) {
            self.sender.send(messages.filter { $0.type != .snapshot })
            for message in messages where message.type == .snapshot { self.sender.sendSnapshot(message) }
        } else {
            self.sender.send(messages)
        }
    }

    /// Hands committed work to the apply loop; waits when the node's configuration must follow it.
    private func apply(snapshot: Snapshot?, entries: [Entry]) {
        guard snapshot != nil || !entries.isEmpty else { return }
        let batch = ApplyBatch(snapshot: snapshot, entries: entries)
        guard batch.changesConfiguration else {
            self.applier.submit(batch)
            return
        }
        for change in self.applier.applyAndWait(batch) {
            self.node.applyConfChange(change)
        }
    }

    /// Takes a snapshot of the log at a point the backend holds durably, and drops what precedes it
    /// except the entries slow followers may still need. A point at or below the snapshot already held
    /// (a leader's snapshot was installed meanwhile) is skipped.
    private func compactLog(at metadata: SnapshotMetadata) {
        let snapshot: Snapshot
        do {
            snapshot = try self.storage.createSnapshot(index: metadata.index, confState: metadata.confState, data: [])
        } catch .snapshotOutOfDate {
            return
        } catch {
            preconditionFailure("cannot snapshot the Raft log at \(metadata.index): \(error)")
        }
        self.logStore.saveSnapshot(snapshot)
        CrashPoint.logSnapshotSaved.reach()
        if metadata.index > self.catchUpEntries {
            do {
                try self.storage.compact(upTo: metadata.index - self.catchUpEntries)
            } catch .compacted {
                // Already compacted further (a leader's snapshot replaced the log): nothing to drop.
            } catch {
                preconditionFailure("cannot compact the Raft log up to \(metadata.index - self.catchUpEntries): \(error)")
            }
        }
        self.logStore.release(upTo: metadata.index)
        self.logger.info(
            "saved snapshot and compacted the Raft log",
            metadata: ["snapshot-index": "\(metadata.index)", "term": "\(snapshot.metadata.term)"]
        )
    }
}
