import EtcdProto
import Foundation
import PeerTransport
import Raft
import Synchronization

/// Records what a transport hands its member.
final class TestDelegate: PeerTransportDelegate {
    let received = Mutex<[Raft.Message]>([])
    let snapshots = Mutex<[(Raft.Message, [UInt8])]>([])
    let unreachablePeers = Mutex<[UInt64]>([])
    let removedCalls = Mutex(0)
    let removedMembers: Set<UInt64>
    let snapshotDirectory: String
    let members: Memberpb_ClusterMembers

    init(removedMembers: Set<UInt64> = [], members: Memberpb_ClusterMembers = Memberpb_ClusterMembers()) {
        self.removedMembers = removedMembers
        self.members = members
        self.snapshotDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("peer-snap-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: self.snapshotDirectory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: self.snapshotDirectory)
    }

    func receive(_ message: Raft.Message) {
        self.received.withLock { $0.append(message) }
    }

    func receiveSnapshot(_ message: Raft.Message, databasePath: String) async throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: databasePath)))
        self.snapshots.withLock { $0.append((message, bytes)) }
    }

    func clusterMembers() -> Memberpb_ClusterMembers { self.members }

    func answerLeaderQuery(_ request: Memberpb_LeaderRequest) async -> Memberpb_LeaderReply {
        var reply = Memberpb_LeaderReply()
        if case .leaseRenew(let id) = request.request { reply.ttl = id * 10 }
        return reply
    }

    func answerHashKV(_ request: Etcdserverpb_HashKVRequest) async -> Memberpb_HashKVReply {
        var reply = Memberpb_HashKVReply()
        reply.response.hash = UInt32(truncatingIfNeeded: request.revision * 7)
        reply.response.header.revision = request.revision
        return reply
    }

    func isRemoved(_ memberID: UInt64) -> Bool { self.removedMembers.contains(memberID) }

    func removedFromCluster() { self.removedCalls.withLock { $0 += 1 } }

    func unreachable(_ peerID: UInt64) { self.unreachablePeers.withLock { $0.append(peerID) } }

    /// Waits until `condition` holds, polling; fails the wait after `timeout`.
    func waitUntil(timeout: Duration = .seconds(10), _ condition: () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }
}
