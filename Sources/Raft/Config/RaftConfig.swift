/// What a ``RawNode`` needs to start: its identity, its timing in ticks, and every limit it enforces.
///
/// Time is counted in ticks of ``RawNode/tick()``; the owner decides how long a tick is (etcd's default is 100 ms).
/// ``validate()`` checks the values; ``RawNode/init(config:storage:)`` calls it.
public struct RaftConfig: Sendable, Hashable {
    /// This member's identity; never ``NodeID/none``.
    public var id: NodeID

    /// Ticks a follower waits without hearing from a leader before it campaigns. Each wait is drawn at random from
    /// `electionTicks ..< 2 * electionTicks`. Must exceed ``heartbeatTicks``; ten heartbeats is customary.
    public var electionTicks: Int = RaftConfig.defaultElectionTicks

    /// Ticks between a leader's heartbeats.
    public var heartbeatTicks: Int = RaftConfig.defaultHeartbeatTicks

    /// Seeds the generator that draws randomized election timeouts. Members of one group should use different
    /// seeds; the same seed and the same inputs give the same behaviour, which deterministic tests rely on.
    public var randomSeed: UInt64

    /// The index the owner's state machine has applied, when restarting. Entries up to it are not handed out again
    /// in ``Ready/committedEntries``. Zero means the index of the storage's snapshot.
    public var appliedIndex: UInt64 = 0

    /// The most bytes of entries (``Entry/byteSize``) one append message carries; a single larger entry still goes
    /// alone. Smaller values make probing cheaper, larger ones raise replication throughput.
    public var maxSizePerMessageBytes: Int = RaftConfig.defaultMaxSizePerMessageBytes

    /// The most append messages in flight to one follower while replicating optimistically.
    public var maxInflightMessages: Int = RaftConfig.defaultMaxInflightMessages

    /// The most bytes of entries in flight to one follower; `Int.max` disables this bound.
    public var maxInflightBytes: Int = .max

    /// The most bytes of payload (``Entry/data``) a leader holds uncommitted; proposals beyond it are dropped with
    /// ``RaftError/proposalDropped``. One proposal of any size is accepted when nothing is uncommitted.
    public var maxUncommittedEntriesBytes: Int = RaftConfig.defaultMaxUncommittedEntriesBytes

    /// The most bytes of entries one ``Ready`` hands out to apply; at least one entry always goes.
    public var maxCommittedBytesPerReady: Int = RaftConfig.defaultMaxSizePerMessageBytes

    /// The most read-index requests a leader holds waiting for a quorum's confirmation; more are dropped with
    /// ``RaftError/readIndexDropped``.
    public var maxPendingReadIndexRequests: Int = RaftConfig.defaultMaxPendingReadIndexRequests

    /// Runs the pre-vote phase (Raft thesis §9.6) before a real election, so a member that was partitioned away
    /// cannot disrupt a working leader by raising the term.
    public var preVote: Bool = true

    /// Makes a leader step down when it has not heard from a quorum within an election timeout, and makes followers
    /// ignore vote requests while they have heard from a leader within the election timeout (leader lease).
    public var checkQuorum: Bool = true

    /// Makes followers drop proposals instead of forwarding them to the leader.
    public var disableProposalForwarding: Bool = false

    /// Creates a configuration with the defaults for everything but the identity and the seed.
    public init(id: NodeID, randomSeed: UInt64) {
        self.id = id
        self.randomSeed = randomSeed
    }

    /// etcd's default: ten heartbeat intervals.
    public static let defaultElectionTicks = 10
    /// One tick: a heartbeat every tick, as etcd sends one every `--heartbeat-interval`.
    public static let defaultHeartbeatTicks = 1
    /// 1 MiB, etcd server's `maxSizePerMsg`.
    public static let defaultMaxSizePerMessageBytes = 1 << 20
    /// etcd server's `maxInflightMsgs`.
    public static let defaultMaxInflightMessages = 512
    /// 1 GiB, etcd server's `MaxUncommittedEntriesSize`.
    public static let defaultMaxUncommittedEntriesBytes = 1 << 30
    /// Enough for a burst of linearizable reads between two heartbeat rounds.
    public static let defaultMaxPendingReadIndexRequests = 4096
}
