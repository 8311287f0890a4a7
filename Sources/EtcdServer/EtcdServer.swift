import EtcdProto
import Foundation
import Lease
import Logging
import Membership
import MVCC
import PeerTransport
import Raft
import Synchronization

/// One etcd member: its Raft loop and apply loop, its peer transport, and the v3 API's operations on
/// top of them. The gRPC services and the JSON gateway call these methods; every failure a client can
/// cause is thrown as an ``EtcdError`` with etcd's code and message.
///
/// Start it with ``start(configuration:logger:)``, run it with ``run()`` until shutdown, then ``stop()``.
public final class EtcdServer: Sendable {
    public let memberID: UInt64
    public let clusterID: UInt64
    let configuration: ServerConfiguration
    let logger: Logger
    let leader: LeaderState
    let requestIDs: RequestIDGenerator
    let proposals: ProposalRouter
    let reads: ReadIndexCoordinator
    let lessor: Lessor
    let raftLoop: RaftLoop
    let applyLoop: ApplyLoop
    let stateMachine: MemberStateMachine
    let transport: PeerTransport
    let peerLink: PeerLink
    let events: ServerEvents
    let diskSpace: DiskSpaceGuard
    private let dataLock: DataDirectoryLock
    let shutdownRequests: AsyncStream<Void>
    let shutdownSignal: AsyncStream<Void>.Continuation

    /// Entries may trail their commit by at most this many before new proposals are refused with
    /// `etcdserver: too many requests` (etcd's `maxGapBetweenApplyAndCommitIndex`).
    static let maxApplyBacklog: UInt64 = 5_000

    init(parts: ServerParts) {
        self.memberID = parts.memberID
        self.clusterID = parts.clusterID
        self.configuration = parts.configuration
        self.logger = parts.logger
        self.leader = parts.leader
        self.requestIDs = parts.requestIDs
        self.proposals = parts.proposals
        self.reads = parts.reads
        self.lessor = parts.lessor
        self.raftLoop = parts.raftLoop
        self.applyLoop = parts.applyLoop
        self.stateMachine = parts.stateMachine
        self.transport = parts.transport
        self.peerLink = parts.peerLink
        self.events = parts.events
        self.dataLock = parts.dataLock
        self.diskSpace = DiskSpaceGuard(
            directories: [parts.configuration.resolvedWALDirectory, parts.configuration.snapshotDirectory],
            logger: parts.logger
        )
        (self.shutdownRequests, self.shutdownSignal) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// The header of a response: cluster, member, the given revision and the current Raft term.
    public func header(revision: Int64) -> Etcdserverpb_ResponseHeader {
        var header = Etcdserverpb_ResponseHeader()
        header.clusterID = self.clusterID
        header.memberID = self.memberID
        header.revision = revision
        header.raftTerm = self.leader.current.term
        return header
    }

    /// Whether this member knows a leader.
    public var hasLeader: Bool { self.leader.hasLeader }

    /// The MVCC store as of now (replaced when a follower installs a snapshot).
    var stores: StateStores { self.stateMachine.current.stores }

    /// The membership as of the last applied entry.
    public var membership: ClusterMembership { self.stateMachine.current.membership }

    /// Proposes a request through Raft, as its caller (the identity goes into the entry's header and is
    /// checked at apply), and waits for the result of applying it. A request that would grow
    /// the data is refused with etcd's no-space error when the backend is over its quota (raising the
    /// NOSPACE alarm first, as etcd does) or the disk is nearly full.
    func propose(_ request: Memberpb_InternalRequest) async throws -> ApplyResult {
        if self.applyLoop.backlog > Self.maxApplyBacklog { throw EtcdError.tooManyRequests }
        let cost = BackendQuota.cost(of: request)
        if cost > 0 {
            let stores = self.stores
            if !self.stateMachine.quota.admits(costBytes: cost, backend: stores.backend) {
                let raised = stores.alarms.alarms(of: .nospace).contains { $0.memberID == self.memberID }
                if !raised {
                    do {
                        try await self.raiseAlarm(.nospace)
                    } catch {
                        self.logger.warning("failed to raise the NOSPACE alarm", metadata: ["error": "\(error)"])
                    }
                }
                throw EtcdError.noSpace
            }
            if !self.diskSpace.admits(costBytes: cost) { throw EtcdError.noSpace }
        }
        var request = request
        if let identity = try await self.identity() {
            request.header.username = identity.user
            request.header.authRevision = identity.revision
        }
        let id = self.requestIDs.next()
        request.header.id = id
        let data: [UInt8] = try request.serializedBytes()
        if data.count > self.configuration.maxRequestBytes { throw EtcdError.requestTooLarge }
        let result: ApplyResult
        do {
            result = try await self.proposals.propose(.propose(id: id, data: data), id: id)
        } catch {
            self.configuration.metrics.server.proposalsFailed.increment()
            throw error
        }
        if case .failure(let error) = result { throw error }
        return result
    }

    /// Waits until this member may serve a linearizable read (etcd's ReadIndex round), counting failures
    /// in `etcd_server_read_indexes_failed_total`.
    func linearizableRead() async throws {
        do {
            try await self.reads.waitForLinearizableRead()
        } catch {
            self.configuration.metrics.server.readIndexesFailed.increment()
            throw error
        }
    }

    /// Hands an input to the Raft loop.
    func submit(_ input: RaftInput) {
        self.raftLoop.inbox.push(input)
    }

    /// Raft's status in the JSON etcd's raft library writes (`/debug/vars`' `raft.status`); nil once the
    /// Raft loop has stopped.
    public func raftStatusJSON() async -> String? {
        await self.raftStatus()?.json
    }

    /// Raft's status with every member's progress, from the Raft loop; nil once the loop has stopped
    /// taking inputs (an input the closed loop refused would never be answered).
    func raftStatus() async -> Status? {
        await withCheckedContinuation { continuation in
            if !self.raftLoop.inbox.push(.status { continuation.resume(returning: $0) }) {
                continuation.resume(returning: nil)
            }
        }
    }
}
