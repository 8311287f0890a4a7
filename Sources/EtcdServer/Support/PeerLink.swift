import Backend
import EtcdProto
import Foundation
import Logging
import MVCC
import NIOPosix
import PeerTransport
import Raft
import Synchronization
import Telemetry

/// The snapshot sends under way, by a key of their own, and whether new ones are refused.
private struct SnapshotSends {
    var running: [Int: Task<Void, Never>] = [:]
    var nextKey = 0
    var stopped = false
}

/// Connects the peer transport to the member, both ways: Raft messages and snapshots out (a snapshot
/// travels with a compacting copy of the backend taken at the moment of sending, which holds at least
/// everything the Raft snapshot covers; the follower's consistent index tells it where to resume), and
/// everything peers send or ask in (the transport's delegate): messages and snapshots into the Raft
/// loop's inbox, membership, hash and leader queries answered from the member's state.
final class PeerLink: RaftMessageSender, PeerTransportDelegate, @unchecked Sendable {
    // `transport`, `stateMachine` and `server` are set once, before the member starts, and never changed.
    private(set) var transport: PeerTransport?
    private var stateMachine: MemberStateMachine?
    private weak var server: EtcdServer?
    private let submit: @Sendable (RaftInput) -> Void
    private let removal: @Sendable () -> Void
    private let metrics: MVCCMetrics
    private let logger: Logger
    private let receivedSnapshots: ReceivedSnapshots
    private let snapshotSends = Mutex(SnapshotSends())
    let snapshotDirectory: String

    /// `submit` feeds the Raft loop; `removal` is told when a peer refuses this member as removed.
    init(
        submit: @escaping @Sendable (RaftInput) -> Void,
        removal: @escaping @Sendable () -> Void,
        snapshotDirectory: String,
        metrics: MVCCMetrics,
        logger: Logger
    ) {
        self.submit = submit
        self.removal = removal
        self.snapshotDirectory = snapshotDirectory
        self.receivedSnapshots = ReceivedSnapshots(directory: snapshotDirectory, logger: logger)
        self.metrics = metrics
        self.logger = logger
    }

    func attach(transport: PeerTransport, stateMachine: MemberStateMachine) {
        self.transport = transport
        self.stateMachine = stateMachine
    }

    func attach(server: EtcdServer) {
        self.server = server
    }

    // MARK: Out

    func send(_ messages: [Raft.Message]) {
        self.transport?.send(messages)
    }

    /// Sends `message` with a compacted copy of the backend, on a task of its own, and tells the Raft loop
    /// how it went. Does nothing once ``stopSnapshotSends()`` ran.
    func sendSnapshot(_ message: Raft.Message) {
        guard let transport = self.transport, let stateMachine = self.stateMachine else { return }
        let (submit, logger, directory) = (self.submit, self.logger, self.snapshotDirectory)
        self.snapshotSends.withLock { sends in
            guard !sends.stopped else { return }
            let key = sends.nextKey
            sends.nextKey += 1
            sends.running[key] = Task {
                let path = "\(directory)/send-\(UInt64.random(in: 1...UInt64.max)).db"
                do {
                    try await stateMachine.reading { stores in
                        try await NIOThreadPool.singleton.runIfActive { try stores.backend.copyCompacted(toPath: path) }
                    }
                    try Task.checkCancellation()
                    let bytes = try await transport.sendSnapshot(message, databasePath: path)
                    logger.info("sent database snapshot", metadata: ["to": "\(String(message.to, radix: 16))", "bytes": "\(bytes)"])
                    submit(.snapshotStatus(message.to, .finished))
                } catch {
                    logger.warning(
                        "failed to send database snapshot",
                        metadata: ["to": "\(String(message.to, radix: 16))", "error": "\(error)"]
                    )
                    submit(.snapshotStatus(message.to, .failed))
                }
                do {
                    if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
                } catch {
                    logger.warning("cannot remove a sent snapshot copy; the next start removes it", metadata: ["path": "\(path)", "error": "\(error)"])
                }
                self.snapshotSends.withLock { _ = $0.running.removeValue(forKey: key) }
            }
        }
    }

    /// Cancels the snapshot sends under way, waits until each has ended and removed its copy of the
    /// backend, and refuses new ones. The member calls it before it stops the Raft loop (whose thread the
    /// peer connections use) and closes the backend (which a copy reads).
    func stopSnapshotSends() async {
        let running = self.snapshotSends.withLock { sends in
            sends.stopped = true
            return Array(sends.running.values)
        }
        for task in running { task.cancel() }
        for task in running { await task.value }
    }

    // MARK: In

    func receive(_ message: Raft.Message) {
        self.submit(.message(message))
    }

    func receiveSnapshot(_ message: Raft.Message, databasePath: String) async throws {
        guard let index = message.snapshot?.metadata.index else {
            throw PeerProtocolError("a snapshot message without a snapshot")
        }
        try self.receivedSnapshots.keep(databasePath, index: index)
        self.submit(.message(message))
    }

    func receivedSnapshotStepped(index: UInt64, taken: Bool) {
        self.receivedSnapshots.stepped(index: index, taken: taken)
    }

    func clusterMembers() -> Memberpb_ClusterMembers {
        var answer = Memberpb_ClusterMembers()
        guard let membership = self.stateMachine?.current.membership else { return answer }
        answer.clusterID = membership.clusterID
        answer.members = membership.sortedMembers.map(\.record)
        answer.removed = membership.removed.sorted()
        return answer
    }

    func answerLeaderQuery(_ request: Memberpb_LeaderRequest) async -> Memberpb_LeaderReply {
        guard let server = self.server else {
            var reply = Memberpb_LeaderReply()
            reply.notLeader = true
            return reply
        }
        return await server.answerLeaderQuery(request)
    }

    func answerHashKV(_ request: Etcdserverpb_HashKVRequest) async -> Memberpb_HashKVReply {
        var reply = Memberpb_HashKVReply()
        guard let stateMachine = self.stateMachine else {
            reply.code = Int32(EtcdError.notCapable.code.rawValue)
            reply.error = EtcdError.notCapable.message
            return reply
        }
        do {
            reply.response = try stateMachine.reading { (stores) throws(KVError) in
                try stores.store.hashKVResponse(revision: request.revision, metrics: self.metrics)
            }
            reply.response.header.memberID = stateMachine.memberID
        } catch {
            let failure = EtcdError(error)
            reply.code = Int32(failure.code.rawValue)
            reply.error = failure.message
        }
        return reply
    }

    func isRemoved(_ memberID: UInt64) -> Bool {
        self.stateMachine?.current.membership.removed.contains(memberID) ?? false
    }

    func removedFromCluster() {
        self.removal()
    }

    func unreachable(_ peerID: UInt64) {
        self.submit(.unreachable(peerID))
    }
}
