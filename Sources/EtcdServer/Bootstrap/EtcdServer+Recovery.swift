import EtcdProto
import Lease
import Logging
import Membership
import NIOPosix
import PeerTransport
import Raft
import Synchronization

extension EtcdServer {
    /// The Raft log the member starts from and, for a member that never ran, the membership it starts
    /// with.
    struct StartingPoint {
        var log: RaftLogRecovery
        var membership: ClusterMembership?
    }

    static func recoverOrCreateLog(_ configuration: ServerConfiguration, logger: Logger) async throws -> StartingPoint {
        if RaftLogRecovery.walExists(configuration) {
            logger.info("restarting from the WAL; --initial-cluster flags are ignored", metadata: ["wal": "\(configuration.resolvedWALDirectory)"])
            return StartingPoint(log: try RaftLogRecovery.open(configuration, logger: logger), membership: nil)
        }
        switch configuration.initialState {
        case .newCluster(let initialCluster, let token):
            let membership = try ClusterMembership.bootstrap(initialCluster: initialCluster, token: token)
            guard let local = membership.members.values.first(where: { $0.name == configuration.name }) else {
                throw BootstrapError("couldn't find local name \"\(configuration.name)\" in the initial cluster configuration")
            }
            let log = try RaftLogRecovery.create(
                configuration,
                memberID: local.id,
                clusterID: membership.clusterID,
                founders: membership.voterIDs
            )
            return StartingPoint(log: log, membership: membership)
        case .existingCluster(let initialCluster):
            let membership = try await self.askPeers(initialCluster, configuration: configuration)
            let own = Set(configuration.peerURLs)
            guard let local = membership.members.values.first(where: { Set($0.peerURLs) == own }) else {
                throw BootstrapError(
                    "the cluster has no member with peer URLs \(configuration.peerURLs.joined(separator: ",")); "
                        + "add it first (etcdctl member add)"
                )
            }
            let log = try RaftLogRecovery.create(configuration, memberID: local.id, clusterID: membership.clusterID, founders: nil)
            return StartingPoint(log: log, membership: membership)
        }
    }

    /// Asks the members listed in `--initial-cluster` (other than this one) for the cluster's membership.
    private static func askPeers(
        _ initialCluster: InitialCluster,
        configuration: ServerConfiguration
    ) async throws -> ClusterMembership {
        let own = Set(configuration.peerURLs)
        var addresses: [PeerAddress] = []
        for url in initialCluster.allPeerURLs where !own.contains(url) {
            addresses.append(try PeerAddress(url: url))
        }
        let query = ClusterQuery(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration.peerTransport)
        let answer: Memberpb_ClusterMembers
        do {
            answer = try await query.fetchMembers(from: addresses, asking: 0)
        } catch {
            throw BootstrapError("cannot fetch the cluster's members from \(addresses.map(\.description).joined(separator: ",")): \(error)")
        }
        return ClusterMembership(
            clusterID: answer.clusterID,
            members: answer.members.map(Member.init(record:)),
            removed: Set(answer.removed)
        )
    }

    /// Starts the apply loop with the state machine built on its thread; a backend that holds no membership
    /// yet gets `initialMembership`, at the log's starting index.
    static func startApplyLoop(
        _ applyLoop: ApplyLoop,
        configuration: ServerConfiguration,
        recovery: RaftLogRecovery,
        initialMembership: ClusterMembership?,
        proposals: ProposalRouter,
        lessor: Lessor,
        events: ServerEvents,
        logger: Logger
    ) throws -> MemberStateMachine {
        let built = Mutex<MemberStateMachine?>(nil)
        let snapshot = recovery.snapshot
        let memberID = recovery.memberID
        let restartSnapshotIndex = initialMembership == nil ? snapshot?.metadata.index ?? 0 : 0
        try applyLoop.start {
            let stores = try StateStores.openCatchingUp(
                configuration: configuration,
                snapshotIndex: restartSnapshotIndex,
                logger: logger
            )
            let membership: ClusterMembership
            if let stored = try stores.membership.load(from: stores.backend) {
                membership = stored
            } else if let initialMembership {
                membership = initialMembership
                try stores.backend.writer.apply(try stores.membership.writes(for: initialMembership))
                if let snapshot {
                    stores.store.setConsistentIndex(snapshot.metadata.index, term: snapshot.metadata.term)
                }
                try stores.store.commit(durably: true)
            } else {
                stores.retire()
                throw BootstrapError(
                    "the backend at \(configuration.backendPath) holds no membership but the WAL exists; "
                        + "the data directory is damaged"
                )
            }
            lessor.restore(stores.leases.list().map { ($0.id, $0.ttlSeconds, $0.remainingTTLSeconds) }, now: .now)
            let stateMachine = MemberStateMachine(
                stores: stores,
                membership: membership,
                memberID: memberID,
                snapshotIndex: stores.store.consistentIndex.index,
                configuration: configuration,
                proposals: proposals,
                lessor: lessor,
                events: events,
                logger: logger
            )
            built.withLock { $0 = stateMachine }
            return stateMachine
        }
        guard let stateMachine = built.withLock({ $0 }) else {
            preconditionFailure("the apply loop started without its state machine")
        }
        applyLoop.markApplied(stateMachine.current.stores.store.consistentIndex.index)
        return stateMachine
    }
}
