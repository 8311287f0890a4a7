import EtcdProto
import Foundation
import Logging
import PeerTransport
import Raft

/// Connects the peer transport to the Raft loop: messages in, messages and snapshots out. Snapshots are
/// sent with a compacting copy of the backend taken at the moment of sending, which holds at least
/// everything the Raft snapshot covers; the follower's consistent index tells it where to resume.
final class PeerLink: RaftMessageSender, @unchecked Sendable {
    // `transport` is set once, before the Raft loop starts, and never changed.
    private(set) var transport: PeerTransport?
    private let submit: @Sendable (RaftInput) -> Void
    private let copyBackend: @Sendable () async throws -> String
    private let logger: Logger

    /// `copyBackend` writes a consistent copy of the backend to a new file and returns its path.
    init(
        submit: @escaping @Sendable (RaftInput) -> Void,
        copyBackend: @escaping @Sendable () async throws -> String,
        logger: Logger
    ) {
        self.submit = submit
        self.copyBackend = copyBackend
        self.logger = logger
    }

    func attach(_ transport: PeerTransport) {
        self.transport = transport
    }

    func send(_ messages: [Raft.Message]) {
        self.transport?.send(messages)
    }

    func sendSnapshot(_ message: Raft.Message) {
        guard let transport = self.transport else { return }
        let submit = self.submit
        let copyBackend = self.copyBackend
        let logger = self.logger
        Task {
            var path: String?
            do {
                let copy = try await copyBackend()
                path = copy
                let bytes = try await transport.sendSnapshot(message, databasePath: copy)
                logger.info(
                    "sent database snapshot",
                    metadata: ["to": "\(String(message.to, radix: 16))", "bytes": "\(bytes)"]
                )
                submit(.snapshotStatus(message.to, .finished))
            } catch {
                logger.warning(
                    "failed to send database snapshot",
                    metadata: ["to": "\(String(message.to, radix: 16))", "error": "\(error)"]
                )
                submit(.snapshotStatus(message.to, .failed))
            }
            if let path { try? FileManager.default.removeItem(atPath: path) }
        }
    }
}
