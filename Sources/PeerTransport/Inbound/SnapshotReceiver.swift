import EtcdProto
import Foundation
import Logging
import NIOCore
import NIOPosix
import Raft
import RaftWire

/// Receives a snapshot conversation: the `MSG_SNAPSHOT` message, then the backend in chunks, written to a
/// new file in the delegate's snapshot directory and fsynced before the delegate takes it over. The
/// sender hears `SnapshotDone` with the outcome. A partial file is removed.
struct SnapshotReceiver {
    let delegate: any PeerTransportDelegate
    let threadPool: NIOThreadPool
    let observer: (any PeerTrafficObserver)?
    let logger: Logger

    func receive(
        _ frames: inout NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) async throws {
        guard let first = try await frames.next() else {
            throw PeerProtocolError("the peer closed the snapshot conversation before its message")
        }
        let proto = try PeerFrames.decode(Memberpb_Message.self, from: first)
        guard let message = Raft.Message(proto: proto), message.type == .snapshot, let snapshot = message.snapshot else {
            throw PeerProtocolError("a snapshot conversation must start with a snapshot message")
        }
        let path = "\(self.delegate.snapshotDirectory)/\(String(snapshot.metadata.index, radix: 16)).snap.db.part"
        var done = Memberpb_SnapshotDone()
        let started = ContinuousClock.now
        self.observer?.snapshotTransferStarted(with: message.from, outbound: false)
        do {
            let received = try await self.writeChunks(&frames, to: path)
            self.logger.info(
                "received database snapshot",
                metadata: ["from": "\(hex(message.from))", "index": "\(snapshot.metadata.index)", "bytes": "\(received)"]
            )
            try await self.delegate.receiveSnapshot(message, databasePath: path)
            done.ok = true
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            done.error = "\(error)"
        }
        self.observer?.snapshotTransferEnded(with: message.from, outbound: false, succeeded: done.ok, took: ContinuousClock.now - started)
        try await outbound.write(PeerFrames.encode(done))
    }

    private func writeChunks(
        _ frames: inout NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator,
        to path: String
    ) async throws -> Int {
        let started = ContinuousClock.now
        let file = try await self.threadPool.runIfActive { try PlainFile.create(path) }
        defer { file.close() }
        var received = 0
        while true {
            guard let frame = try await frames.next() else {
                throw PeerProtocolError("the peer closed the connection in the middle of a snapshot")
            }
            let chunk = try PeerFrames.decode(Memberpb_SnapshotChunk.self, from: frame)
            if !chunk.data.isEmpty {
                let bytes = [UInt8](chunk.data)
                try await self.threadPool.runIfActive { try file.write(bytes) }
                received += bytes.count
            }
            if chunk.last { break }
        }
        let syncStarted = ContinuousClock.now
        try await self.threadPool.runIfActive { try file.sync() }
        let synced = ContinuousClock.now
        self.observer?.savedSnapshotDatabase(took: synced - started, fsync: synced - syncStarted)
        return received
    }
}
