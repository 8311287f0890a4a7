import Backend
import Foundation
import Logging
import Synchronization

/// The leaders' snapshot databases received and waiting in the snap directory as `<index>.snap.db`, until
/// Raft takes their snapshot (the install then moves the file over the backend) or turns it down (the file
/// is removed here). A leader may send the same snapshot again while the first copy waits or is being
/// installed: the first copy is kept, and the file goes only once Raft has stepped every copy received.
@_spi(Testing) public final class ReceivedSnapshots: Sendable {
    private let directory: String
    private let logger: Logger
    /// Per index, how many received copies Raft has still to step.
    private let waiting = Mutex<[UInt64: Int]>([:])

    public init(directory: String, logger: Logger) {
        self.directory = directory
        self.logger = logger
    }

    /// Takes the database just received at `path` for the snapshot at `index` as that index's file, made
    /// durable before Raft records the snapshot in the WAL (a restart from that record needs the file).
    public func keep(_ path: String, index: UInt64) throws {
        let target = MemberStateMachine.receivedDatabasePath(snapshotDirectory: self.directory, index: index)
        try self.waiting.withLock { waiting in
            if FileManager.default.fileExists(atPath: target) {
                try FileManager.default.removeItem(atPath: path)
            } else {
                try FileManager.default.moveItem(atPath: path, toPath: target)
                try Backend.syncDirectory(of: target)
            }
            waiting[index, default: 0] += 1
        }
    }

    /// Raft stepped one received copy of the snapshot at `index`; removes its file when Raft did not take it
    /// and no other copy waits to be stepped.
    public func stepped(index: UInt64, taken: Bool) {
        let target = MemberStateMachine.receivedDatabasePath(snapshotDirectory: self.directory, index: index)
        self.waiting.withLock { waiting in
            let left = (waiting[index] ?? 1) - 1
            waiting[index] = left > 0 ? left : nil
            guard left <= 0, !taken, FileManager.default.fileExists(atPath: target) else { return }
            do {
                try FileManager.default.removeItem(atPath: target)
                self.logger.info("removed a received snapshot database Raft turned down", metadata: ["index": "\(index)"])
            } catch {
                self.logger.warning(
                    "cannot remove a received snapshot database Raft turned down; the next start removes it",
                    metadata: ["path": "\(target)", "error": "\(error)"]
                )
            }
        }
    }
}
