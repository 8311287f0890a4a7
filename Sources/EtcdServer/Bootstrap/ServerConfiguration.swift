import MVCC
import Membership
import PeerTransport
import Telemetry

/// Everything one member needs to run, typed and already validated by the program that starts it.
public struct ServerConfiguration: Sendable {
    /// How the member takes its place in a cluster when its data directory holds no WAL yet.
    public enum InitialState: Sendable, Equatable {
        /// Found a new cluster with these members (names and peer URLs) and this token.
        case newCluster(InitialCluster, token: String)
        /// Join a running cluster that already lists this member (added with MemberAdd); ask these peers.
        case existingCluster(InitialCluster)
    }

    /// A host and port to listen on for peers, and whether it serves TLS (an `https://` peer URL).
    public struct ListenAddress: Sendable, Equatable {
        public var host: String
        public var port: Int
        public var secure: Bool

        /// An address; port 0 lets the system choose.
        public init(host: String, port: Int, secure: Bool = false) {
            self.host = host
            self.port = port
            self.secure = secure
        }
    }

    public var name: String
    public var dataDirectory: String
    /// The WAL's directory when not inside the data directory (`--wal-dir`).
    public var walDirectory: String?
    public var peerURLs: [String]
    public var clientURLs: [String]
    public var listenPeerAddresses: [ListenAddress]
    public var initialState: InitialState
    public var heartbeatInterval: Duration
    /// Ticks of `heartbeatInterval` before an election.
    public var electionTicks: Int
    public var preVote: Bool
    public var strictReconfigCheck: Bool
    public var snapshotCount: UInt64
    public var snapshotCatchUpEntries: UInt64
    public var maxSnapshotFiles: Int
    /// `--max-wals`: 0 keeps every WAL segment; otherwise segments go once a snapshot made them redundant.
    public var maxWALFiles: Int
    /// `--initial-election-tick-advance`: move the election clock on once peers are connected at start.
    public var initialElectionTickAdvance: Bool
    public var maxRequestBytes: Int
    public var maxTxnOps: Int
    /// Bytes; negative means no quota.
    public var quotaBackendBytes: Int64
    /// `--auto-compaction-mode` and `--auto-compaction-retention`.
    public var autoCompaction: AutoCompaction
    /// `--experimental-initial-corrupt-check`: compare hashes with the peers before serving.
    public var initialCorruptCheck: Bool
    /// `--experimental-corrupt-check-time`: how often the leader compares hashes; zero for never.
    public var corruptCheckInterval: Duration
    /// An applied request that takes longer is logged and counted as slow
    /// (`--experimental-warning-apply-duration`, 100 ms).
    public var warningApplyDuration: Duration
    /// How often the leader checkpoints leases' remaining TTLs through the log
    /// (`--experimental-lease-checkpoint-interval`); nil when checkpointing is off, etcd's default.
    public var leaseCheckpointInterval: Duration?
    /// Whether checkpointed remaining TTLs are also written to the backend
    /// (`--experimental-enable-lease-checkpoint-persist`), so a restart keeps them too.
    public var leaseCheckpointPersist: Bool
    /// The bcrypt cost of user passwords (`--bcrypt-cost`, one bcrypt takes: 4...31).
    public var bcryptCost: Int
    /// How long a simple token lives unused (`--auth-token-ttl`, 300 s; each use restarts it).
    public var authTokenTTL: Duration
    /// The tokens Authenticate issues and requests present (`--auth-token`).
    public var tokenProvider: AuthTokenProvider
    /// Limits and TLS of the peer connections (`--peer-cert-file` and the other peer TLS flags).
    public var peerTransport = PeerTransportConfiguration()
    /// Whether clients must present a certificate the trusted CA signed (`--client-cert-auth`); its Common
    /// Name then names the user of a request without a token.
    public var clientCertAuth: Bool
    public var backendBatchInterval: Duration
    public var backendBatchLimit: Int
    public var unsafeNoFsync: Bool
    /// `--force-new-cluster`: a restarting member makes itself the cluster's only member
    /// (``EtcdServer/forceNewCluster(_:membership:consistentIndex:configuration:logger:)``).
    public var forceNewCluster: Bool
    /// Revisions a compaction deletes per step, between which writes go on
    /// (`--experimental-compaction-batch-limit`, etcd's 1000).
    public var compactionBatchLimit: Int
    /// Free space in the backend file worth defragmenting it for at start; 0 never does
    /// (`--experimental-bootstrap-defrag-threshold-megabytes`).
    public var bootstrapDefragThresholdBytes: Int64
    /// Where the member's metrics are recorded (etcd's names); a private registry unless one is given.
    public var metrics: EtcdMetrics
    /// The MVCC store's operation counts, kept across the stores a member opens over its life.
    let kvStatistics = KVStatistics()

    /// The member's directory inside the data directory, as etcd lays it out.
    public var memberDirectory: String { "\(self.dataDirectory)/member" }
    public var resolvedWALDirectory: String { self.walDirectory ?? "\(self.memberDirectory)/wal" }
    public var snapshotDirectory: String { "\(self.memberDirectory)/snap" }
    /// The backend database file.
    public var backendPath: String { "\(self.snapshotDirectory)/db" }

    /// How long a proposal may take before `etcdserver: request timed out`: etcd's 5 s plus two election
    /// timeouts.
    public var requestTimeout: Duration {
        .seconds(5) + self.heartbeatInterval * (2 * self.electionTicks)
    }

    /// The election timeout.
    public var electionTimeout: Duration {
        self.heartbeatInterval * self.electionTicks
    }

    /// Creates a configuration with etcd's defaults for everything but identity and placement.
    public init(
        name: String,
        dataDirectory: String,
        peerURLs: [String],
        clientURLs: [String],
        listenPeerAddresses: [ListenAddress],
        initialState: InitialState
    ) {
        self.name = name
        self.dataDirectory = dataDirectory
        self.walDirectory = nil
        self.peerURLs = peerURLs
        self.clientURLs = clientURLs
        self.listenPeerAddresses = listenPeerAddresses
        self.initialState = initialState
        self.heartbeatInterval = .milliseconds(100)
        self.electionTicks = 10
        self.preVote = true
        self.strictReconfigCheck = true
        self.snapshotCount = 100_000
        self.snapshotCatchUpEntries = 5_000
        self.maxSnapshotFiles = 5
        self.maxWALFiles = 5
        self.initialElectionTickAdvance = true
        self.maxRequestBytes = 1_572_864
        self.maxTxnOps = 128
        self.quotaBackendBytes = 2 * 1024 * 1024 * 1024
        self.autoCompaction = .disabled
        self.initialCorruptCheck = false
        self.corruptCheckInterval = .zero
        self.warningApplyDuration = .milliseconds(100)
        self.leaseCheckpointInterval = nil
        self.leaseCheckpointPersist = false
        self.bcryptCost = 10
        self.authTokenTTL = .seconds(300)
        self.tokenProvider = .simple
        self.clientCertAuth = false
        self.backendBatchInterval = .milliseconds(100)
        self.backendBatchLimit = 10_000
        self.unsafeNoFsync = false
        self.forceNewCluster = false
        self.bootstrapDefragThresholdBytes = 0
        self.compactionBatchLimit = StoreConfiguration.defaultCompactionBatchLimit
        self.metrics = EtcdMetrics(grpcMethods: [])
    }
}
