import EtcdProto
import Foundation
import Lease
import Logging
import Membership
import MVCC
import NIOPosix
import PeerTransport
import Raft
import Synchronization
import Telemetry
import WAL

extension EtcdServer {
    /// Opens or creates the member's data, joins or founds its cluster, and starts its Raft and apply
    /// threads. The peer transport and the timers run in ``run()``.
    ///
    /// A member with a WAL restarts from it (the `--initial-cluster*` flags are ignored, as etcd does); a
    /// new member founds a cluster from `--initial-cluster`, or joins a running one by asking its peers.
    /// Throws a ``BootstrapError`` (or a storage error) when the data directory or the flags do not allow
    /// starting; nothing is changed on disk in that case beyond the data directory being created.
    public static func start(configuration: ServerConfiguration, logger: Logger) async throws -> EtcdServer {
        let lock = try DataDirectoryLock(directory: configuration.memberDirectory)
        let start = try await self.recoverOrCreateLog(configuration, logger: logger)
        let recovery = start.log
        let metrics = configuration.metrics
        metrics.network.setLocalMember(recovery.memberID)
        recovery.wal.syncObserver = { metrics.disk.walFsyncSeconds.record($0.inSeconds) }
        recovery.wal.writeObserver = { metrics.disk.walWriteBytes.increment(by: Double($0)) }
        recovery.snapshotter.saveObserver = { times in
            metrics.snapshot.saveMarshallingSeconds.record(times.encoding.inSeconds)
            if let fsync = times.fsync { metrics.snapshot.fsyncSeconds.record(fsync.inSeconds) }
            metrics.snapshot.saveTotalSeconds.record(times.total.inSeconds)
        }
        let inbox = RaftInbox()
        let submit: @Sendable (RaftInput) -> Void = { inbox.push($0) }
        let leader = LeaderState()
        let requestIDs = RequestIDGenerator(memberID: recovery.memberID)
        let proposals = ProposalRouter(leader: leader, timeout: configuration.requestTimeout, submit: submit)
        let lessor = Lessor()
        let applyLoop = ApplyLoop(appliedIndex: 0)
        let reads = ReadIndexCoordinator(
            requestIDs: requestIDs,
            applied: applyLoop,
            timeout: configuration.requestTimeout,
            slow: { metrics.requests.slowReadIndexes.increment() },
            submit: submit
        )
        let events = ServerEvents(
            inbox: inbox,
            leader: leader,
            proposals: proposals,
            reads: reads,
            lessor: lessor,
            memberID: recovery.memberID,
            electionTimeout: configuration.electionTimeout,
            metrics: metrics.server,
            logger: logger
        )
        let stateMachine = try Self.startApplyLoop(
            applyLoop,
            configuration: configuration,
            recovery: recovery,
            initialMembership: start.membership,
            proposals: proposals,
            lessor: lessor,
            events: events,
            logger: logger
        )
        let consistentIndex = stateMachine.current.stores.store.consistentIndex.index
        try Self.alignLog(recovery, withBackendAt: stateMachine.current.stores.store.consistentIndex, membership: stateMachine.current.membership)
        if configuration.forceNewCluster, start.membership == nil {
            try Self.forceNewCluster(
                recovery,
                membership: stateMachine.current.membership,
                consistentIndex: consistentIndex,
                configuration: configuration,
                logger: logger
            )
        }
        let node = try RawNode(config: Self.raftConfig(configuration, memberID: recovery.memberID), storage: recovery.storage)
        let peerLink = PeerLink(
            submit: submit,
            removal: { [events] in events.removedFromCluster() },
            snapshotDirectory: configuration.snapshotDirectory,
            metrics: metrics.mvcc,
            logger: logger
        )
        // Made after the last step that can fail, so a failed start leaves no thread behind.
        let raftThread = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let raftLoop = RaftLoop(
            inbox: inbox,
            eventLoopGroup: raftThread,
            node: node,
            storage: recovery.storage,
            logStore: DurableRaftLog(
                wal: recovery.wal, snapshotter: recovery.snapshotter, keepsAllSegments: configuration.maxWALFiles == 0, logger: logger
            ),
            sender: peerLink,
            applier: applyLoop,
            delegate: events,
            tickInterval: configuration.heartbeatInterval,
            catchUpEntries: configuration.snapshotCatchUpEntries,
            logger: logger
        )
        let transport = PeerTransport(
            identity: PeerIdentity(clusterID: recovery.clusterID, memberID: recovery.memberID, serverVersion: EtcdVersion.server),
            listenAddresses: configuration.listenPeerAddresses.map { PeerAddress(host: $0.host, port: $0.port, secure: $0.secure) },
            delegate: peerLink,
            configuration: configuration.peerTransport,
            observer: PeerTrafficMetrics(network: metrics.network, snapshot: metrics.snapshot),
            eventLoopGroup: raftThread,
            logger: logger
        )
        peerLink.attach(transport: transport, stateMachine: stateMachine)
        events.attach(transport: transport)
        events.membershipChanged(stateMachine.current.membership)
        let server = EtcdServer(parts: ServerParts(
            memberID: recovery.memberID,
            clusterID: recovery.clusterID,
            configuration: configuration,
            logger: logger,
            leader: leader,
            requestIDs: requestIDs,
            proposals: proposals,
            reads: reads,
            lessor: lessor,
            raftLoop: raftLoop,
            applyLoop: applyLoop,
            stateMachine: stateMachine,
            transport: transport,
            peerLink: peerLink,
            events: events,
            dataLock: lock
        ))
        peerLink.attach(server: server)
        logger.info(
            "starting member",
            metadata: [
                "member-id": "\(String(recovery.memberID, radix: 16))",
                "cluster-id": "\(String(recovery.clusterID, radix: 16))",
                "applied-index": "\(consistentIndex)",
                "revision": "\(stateMachine.current.stores.store.currentRevision)",
            ]
        )
        stateMachine.quota.logSetting(logger)
        server.registerMetrics()
        raftLoop.start()
        if stateMachine.current.membership.voterIDs == [recovery.memberID] {
            inbox.push(.campaign)
        }
        return server
    }

    private static func raftConfig(_ configuration: ServerConfiguration, memberID: UInt64) -> RaftConfig {
        var config = RaftConfig(id: memberID, randomSeed: memberID ^ UInt64(Date().timeIntervalSince1970 * 1e6))
        config.electionTicks = configuration.electionTicks
        config.heartbeatTicks = 1
        config.preVote = configuration.preVote
        config.checkQuorum = true
        return config
    }

    /// After a restart the backend may be ahead of the newest Raft snapshot. Raft's configuration at the
    /// consistent index is the membership the backend holds, so the log is snapshotted there: Raft resumes
    /// after the consistent index, with the configuration in force at it. When the backend is even ahead
    /// of the WAL's last entry (a leader's snapshot database runs past the snapshot it came with, and the
    /// member stopped before more entries arrived), that snapshot is written to the WAL and the snap
    /// directory, so the entries the leader sends next follow it there too.
    private static func alignLog(
        _ recovery: RaftLogRecovery,
        withBackendAt consistentIndex: ConsistentIndex,
        membership: ClusterMembership
    ) throws {
        let storage = recovery.storage
        let snapshotIndex = try storage.snapshot().metadata.index
        guard consistentIndex.index > snapshotIndex else { return }
        let confState = ConfState(voters: membership.voterIDs, learners: membership.learnerIDs)
        guard consistentIndex.index > storage.lastIndex() else {
            _ = try storage.createSnapshot(index: consistentIndex.index, confState: confState, data: [])
            return
        }
        let metadata = SnapshotMetadata(index: consistentIndex.index, term: consistentIndex.term, confState: confState)
        var hardState = storage.initialState().hardState
        if consistentIndex.term > hardState.term {
            hardState = HardState(term: consistentIndex.term, vote: .none, commit: consistentIndex.index)
        } else {
            hardState.commit = max(hardState.commit, consistentIndex.index)
        }
        let snapshot = Snapshot(metadata: metadata)
        recovery.snapshotter.save(snapshot)
        recovery.wal.saveSnapshotMarker(SnapshotMarker(metadata))
        recovery.wal.save(hardState: hardState, entries: [])
        try storage.applySnapshot(snapshot)
        storage.setHardState(hardState)
    }
}
