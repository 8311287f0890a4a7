import EtcdProto
import Foundation
import NIOCore
import NIOPosix
import Raft
import RaftWire

/// Sends one snapshot to a peer on a connection of its own: the `MSG_SNAPSHOT` message, then the backend
/// file in chunks, then waits for the receiver to say it took it over.
struct SnapshotSender {
    let identity: PeerIdentity
    let connector: PeerConnector
    let threadPool: NIOThreadPool

    /// Streams `databasePath` with `message` to `address`; returns the bytes sent. Throws if the transfer
    /// or the receiver's takeover failed.
    func send(_ message: Raft.Message, databasePath: String, to address: PeerAddress) async throws -> Int {
        let hello = self.identity.hello(.snapshot, to: message.to)
        let chunkBytes = self.connector.configuration.snapshotChunkBytes
        let file = try await self.threadPool.runIfActive { try PlainFile.openForReading(databasePath) }
        defer { file.close() }
        let channel = try await self.connector.connect(to: address)
        return try await channel.executeThenClose { inbound, outbound in
            var replies = inbound.makeAsyncIterator()
            try await PeerConnector.handshake(hello, inbound: &replies, outbound: outbound)
            try await outbound.write(PeerFrames.encode(message.proto))
            var sent = 0
            while true {
                let bytes = try await self.threadPool.runIfActive { try file.read(upTo: chunkBytes) }
                var chunk = Memberpb_SnapshotChunk()
                chunk.data = Data(bytes)
                chunk.last = bytes.isEmpty
                try await outbound.write(PeerFrames.encode(chunk))
                sent += bytes.count
                if bytes.isEmpty { break }
            }
            guard let frame = try await replies.next() else {
                throw PeerProtocolError("the peer closed the connection before confirming the snapshot")
            }
            let done = try PeerFrames.decode(Memberpb_SnapshotDone.self, from: frame)
            guard done.ok else { throw PeerProtocolError("the peer failed to take the snapshot over: \(done.error)") }
            return sent
        }
    }
}
