import EtcdServer

extension ServerConfiguration {
    /// The server's configuration from the member's validated flags.
    init(_ options: MemberOptions) {
        let initialState: InitialState
        switch options.initialClusterState {
        case .new: initialState = .newCluster(options.initialCluster, token: options.initialClusterToken)
        case .existing: initialState = .existingCluster(options.initialCluster)
        }
        self.init(
            name: options.name,
            dataDirectory: options.dataDirectory,
            peerURLs: options.initialAdvertisePeerURLs.map(\.description),
            clientURLs: options.advertiseClientURLs.map(\.description),
            listenPeerAddresses: options.listenPeerURLs.map { ListenAddress(host: $0.host, port: $0.port, secure: $0.scheme == "https") },
            initialState: initialState
        )
        self.walDirectory = options.walDirectory
        self.heartbeatInterval = .milliseconds(options.heartbeatIntervalMilliseconds)
        self.electionTicks = max(1, options.electionTimeoutMilliseconds / options.heartbeatIntervalMilliseconds)
        self.preVote = options.preVote
        self.strictReconfigCheck = options.strictReconfigCheck
        self.snapshotCount = options.snapshotCount
        self.snapshotCatchUpEntries = options.snapshotCatchUpEntries
        self.maxSnapshotFiles = options.maxSnapshotFiles
        self.maxWALFiles = options.maxWALFiles
        self.initialElectionTickAdvance = options.initialElectionTickAdvance
        self.maxRequestBytes = options.maxRequestBytes
        self.maxTxnOps = options.maxTxnOps
        self.quotaBackendBytes = options.quotaBackendBytes
        self.autoCompaction = options.autoCompaction
        self.initialCorruptCheck = options.initialCorruptCheck
        self.corruptCheckInterval = options.corruptCheckInterval
        self.warningApplyDuration = options.warningApplyDuration
        self.backendBatchInterval = options.backendBatchInterval
        self.backendBatchLimit = options.backendBatchLimit
        self.unsafeNoFsync = options.unsafeNoFsync
        self.forceNewCluster = options.forceNewCluster
        self.compactionBatchLimit = options.compactionBatchLimit
        self.bootstrapDefragThresholdBytes = Int64(clamping: options.bootstrapDefragThresholdMegabytes) * 1024 * 1024
        self.leaseCheckpointInterval = options.leaseCheckpoint ? options.leaseCheckpointInterval : nil
        self.leaseCheckpointPersist = options.leaseCheckpointPersist
        self.bcryptCost = (4...31).contains(options.bcryptCost) ? options.bcryptCost : 10
        self.authTokenTTL = options.authTokenTTLSeconds > 0 ? .seconds(options.authTokenTTLSeconds) : .seconds(300)
        self.tokenProvider = switch options.authTokens {
        case .simple: .simple
        case .none: .none
        case .jwt(let jwt): .jwt(jwt.tokens)
        }
    }
}
