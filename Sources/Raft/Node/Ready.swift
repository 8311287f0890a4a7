/// The work a ``RawNode`` hands its owner: state to persist, messages to send, entries to apply. The owner handles
/// one Ready at a time, in this order, then calls ``RawNode/advance(_:)``:
///
/// 1. Send ``messages`` at once; they may travel while step 2 runs (a leader's appends go out in parallel with its
///    own write, Raft thesis §10.2.1).
/// 2. Persist, in order, ``snapshot``, ``entries`` and ``hardState``; fsync when ``mustSync`` is true.
/// 3. Only then send ``messagesAfterPersist``.
/// 4. Apply ``snapshot`` to the state machine, then ``committedEntries`` in order, calling
///    ``RawNode/applyConfChange(_:)`` for each entry of kind ``Entry/Kind/confChange``.
/// 5. Serve ``readStates`` once the applied index reaches theirs.
/// 6. Call ``RawNode/advance(_:)`` with this Ready.
///
/// A Ready is a plain value (``Sendable``): the owner may persist it on another thread, as long as it keeps the
/// order above and calls back the node from the node's own thread.
public struct Ready: Sendable {
    /// The leader and role, when they changed since the last Ready. Volatile: never persisted.
    public var softState: SoftState?

    /// The term, vote and commit index to persist, when they changed. Must be durable before
    /// ``messagesAfterPersist`` are sent.
    public var hardState: HardState?

    /// Entries to append to the durable log, replacing any held entries from the first one's index on. Must be
    /// durable before ``messagesAfterPersist`` are sent and before ``committedEntries`` are applied (they may
    /// include some of these entries).
    public var entries: [Entry]

    /// A snapshot received from the leader, to persist (before ``entries``) and to install in the state machine
    /// before applying ``committedEntries``.
    public var snapshot: Snapshot?

    /// Committed entries to apply to the state machine, in order, after ``entries`` and ``snapshot`` of this same
    /// Ready are durable (except the first ``durableCommittedCount``). ``RawNode/advance(_:)`` records them as
    /// applied.
    public var committedEntries: [Entry]

    /// How many of ``committedEntries``, from the first, were durable before this Ready: those before the first of
    /// ``entries``, which every earlier Ready handed out to persist (all of them when there are no new entries).
    /// They may be applied before this Ready is persisted. None when the Ready carries a snapshot, which must be
    /// installed first.
    public var durableCommittedCount: Int {
        guard self.snapshot == nil else { return 0 }
        guard let firstNew = self.entries.first?.index else { return self.committedEntries.count }
        return self.committedEntries.prefix { $0.index < firstNew }.count
    }

    /// Messages that may be sent right away, before or in parallel with persisting this Ready: a leader's appends,
    /// heartbeats and snapshots, and requests forwarded to the leader. They vouch for nothing that is not yet
    /// durable. A message of type ``MessageType/snapshot`` must be followed by
    /// ``RawNode/reportSnapshot(_:status:)`` once the transfer ends.
    public var messages: [Message]

    /// Messages that may be sent only after ``snapshot``, ``entries`` and ``hardState`` of this Ready are durable:
    /// append and heartbeat responses (they acknowledge persisted entries) and votes (a vote forgotten in a crash
    /// could be cast twice).
    public var messagesAfterPersist: [Message]

    /// Answers to read-index requests, in the order they were confirmed.
    public var readStates: [ReadState]

    /// Whether persisting must reach stable storage (fsync) before step 3: true when there are entries or a
    /// snapshot, or the term or vote changed. A commit index alone may be written lazily.
    public var mustSync: Bool

    /// Creates an empty Ready.
    public init() {
        self.softState = nil
        self.hardState = nil
        self.entries = []
        self.snapshot = nil
        self.committedEntries = []
        self.messages = []
        self.messagesAfterPersist = []
        self.readStates = []
        self.mustSync = false
    }
}
