@_spi(Testing) import EtcdServer
import Foundation
import Logging
import Testing

/// A received snapshot database stays while Raft may still take its snapshot and goes once Raft has turned
/// down every copy received (the member used to keep a turned-down `<index>.snap.db` until its next start).
@Suite struct ReceivedSnapshotsTests {
    private let directory = FileManager.default.temporaryDirectory.appendingPathComponent("received-\(UUID().uuidString)").path
    private var target: String { "\(self.directory)/12f.snap.db" }

    private func receive(_ contents: String) throws -> String {
        let path = "\(self.directory)/12f.snap.db.part"
        try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func received() throws -> ReceivedSnapshots {
        try FileManager.default.createDirectory(atPath: self.directory, withIntermediateDirectories: true)
        return ReceivedSnapshots(directory: self.directory, logger: Logger(label: "test"))
    }

    @Test func aTurnedDownSnapshotsDatabaseIsRemoved() throws {
        let snapshots = try self.received()
        defer { try? FileManager.default.removeItem(atPath: self.directory) }
        try snapshots.keep(try self.receive("first"), index: 0x12f)
        #expect(FileManager.default.fileExists(atPath: self.target))
        snapshots.stepped(index: 0x12f, taken: false)
        #expect(!FileManager.default.fileExists(atPath: self.target))
        #expect(try FileManager.default.contentsOfDirectory(atPath: self.directory).isEmpty)
    }

    @Test func aTakenSnapshotsDatabaseStaysForTheInstall() throws {
        let snapshots = try self.received()
        defer { try? FileManager.default.removeItem(atPath: self.directory) }
        try snapshots.keep(try self.receive("first"), index: 0x12f)
        snapshots.stepped(index: 0x12f, taken: true)
        #expect(FileManager.default.fileExists(atPath: self.target))
    }

    @Test func theFirstCopyStaysUntilRaftHasSteppedEveryCopy() throws {
        let snapshots = try self.received()
        defer { try? FileManager.default.removeItem(atPath: self.directory) }
        try snapshots.keep(try self.receive("first"), index: 0x12f)
        try snapshots.keep(try self.receive("second"), index: 0x12f)
        #expect(try String(contentsOfFile: self.target, encoding: .utf8) == "first")
        #expect(try FileManager.default.contentsOfDirectory(atPath: self.directory) == ["12f.snap.db"])
        snapshots.stepped(index: 0x12f, taken: false)
        #expect(FileManager.default.fileExists(atPath: self.target), "the second copy may still be taken")
        snapshots.stepped(index: 0x12f, taken: false)
        #expect(!FileManager.default.fileExists(atPath: self.target))
    }
}
