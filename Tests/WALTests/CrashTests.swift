import Foundation
import ProcessTestSupport
import Raft
import Testing
import WAL

/// Real processes: a child appends through the WAL and reports each durable batch; it is killed with
/// SIGKILL at random moments, or aborted at each named crash point; every batch it reported must be
/// there after reopening, in order, with nothing after a torn record, and the WAL must take appends again.
@Suite(.serialized) struct CrashTests {
    private static let segmentBytes = 64 * 1024
    private static let cycles = Int(ProcessInfo.processInfo.environment["WAL_CRASH_CYCLES"] ?? "") ?? 200

    /// The child executable, which SwiftPM builds next to the test bundle.
    private static func childExecutable() throws -> URL {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("WALCrashChild")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        throw ChildNotFound(from: CommandLine.arguments[0])
    }

    private struct ChildNotFound: Error, CustomStringConvertible {
        let from: String
        var description: String { "WALCrashChild not found near \(self.from)" }
    }

    /// What one run of the child said and how it ended.
    private struct ChildRun: Sendable {
        let lines: [String]
        /// The exit status, 128 + signal when a signal ended the child.
        let status: Int32

        /// The highest index the child reported durable (0 if none).
        var acknowledged: UInt64 {
            self.lines.compactMap { $0.hasPrefix("durable ") ? UInt64($0.dropFirst(8)) : nil }.max() ?? 0
        }
    }

    /// Starts the child; kills it with SIGKILL after `killAfterMilliseconds` unless it ends first. The
    /// waiting happens off Swift's cooperative threads, which the other tests need.
    private func runChild(
        _ data: TemporaryDirectory, seed: UInt64, crashPoint: String? = nil, batches: Int? = nil,
        killAfterMilliseconds: Int? = nil
    ) async throws -> ChildRun {
        let path = data.path
        return try await offload {
            try Self.runChildBlocking(
                path, seed: seed, crashPoint: crashPoint, batches: batches, killAfterMilliseconds: killAfterMilliseconds
            )
        }
    }

    private static func runChildBlocking(
        _ path: String, seed: UInt64, crashPoint: String?, batches: Int?, killAfterMilliseconds: Int?
    ) throws -> ChildRun {
        let process = Process()
        process.executableURL = try Self.childExecutable()
        process.arguments = [path, String(Self.segmentBytes), String(seed)] + (batches.map { [String($0)] } ?? [])
        var environment = ProcessInfo.processInfo.environment
        environment[CrashPoint.environmentVariable] = crashPoint
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        if let delay = killAfterMilliseconds {
            usleep(UInt32(delay) * 1000)
            kill(process.processIdentifier, SIGKILL)
        }
        let bytes = output.fileHandleForReading.readDataToEndOfFile()
        let status = ProcessExit.wait(for: process)
        let text = String(decoding: bytes, as: UTF8.self)
        return ChildRun(lines: text.split(separator: "\n").map(String.init), status: status)
    }

    /// Reopens the storage as a member would and checks it against what the child acknowledged.
    /// Returns the last index recovered.
    @discardableResult
    private func verify(_ data: TemporaryDirectory, acknowledged: UInt64, _ context: String) throws -> UInt64 {
        let walDirectory = data.path + "/wal"
        guard WAL.exists(directory: walDirectory) else {
            #expect(acknowledged == 0, "\(context): the WAL vanished")
            return 0
        }
        let markers = try WAL.snapshotMarkers(directory: walDirectory)
        let newest = try Snapshotter(directory: data.path + "/snap").loadNewest { metadata in
            markers.contains { $0.index == metadata.index && $0.term == metadata.term }
        }
        #expect(newest.brokenFiles.isEmpty, "\(context)")
        let marker = newest.snapshot.map { SnapshotMarker($0.metadata) } ?? .start
        let recovery = try WAL.open(directory: walDirectory, from: marker,
                                    options: WALOptions(segmentSizeBytes: Int64(Self.segmentBytes)))
        defer { recovery.wal.close() }
        let last = marker.index + UInt64(recovery.entries.count)
        #expect(entriesAreIntact(recovery.entries, startingAt: marker.index + 1), "\(context): entries in order and intact")
        #expect(last >= acknowledged, "\(context): acknowledged \(acknowledged), recovered up to \(last)")
        #expect(recovery.hardState.commit >= acknowledged && recovery.hardState.commit <= last, "\(context)")
        #expect(recovery.wal.lastIndex == last)
        return last
    }

    @Test func killedAtRandomMomentsLosesNothingAcknowledged() async throws {
        let data = TemporaryDirectory()
        var random = TestRandom(seed: 2024)
        var acknowledged: UInt64 = 0
        var kills = 0
        for cycle in 0..<Self.cycles {
            let run = try await self.runChild(data, seed: UInt64(cycle), killAfterMilliseconds: 5 + random.below(120))
            if run.status == 128 + SIGKILL { kills += 1 }
            #expect(!run.lines.contains { $0.hasPrefix("error") }, "cycle \(cycle): \(run.lines.filter { $0.hasPrefix("error") })")
            acknowledged = max(acknowledged, run.acknowledged)
            try self.verify(data, acknowledged: acknowledged, "cycle \(cycle)")
        }
        #expect(kills > Self.cycles / 2, "most runs were killed mid-flight")
        // After all that, the log still takes appends and keeps them.
        let finish = try await self.runChild(data, seed: 99, batches: 20)
        #expect(finish.status == 0)
        #expect(try self.verify(data, acknowledged: finish.acknowledged, "final") == finish.acknowledged)
    }

    @Test(arguments: CrashPoint.walPoints)
    func abortingAtACrashPointLosesNothingAcknowledged(point: CrashPoint) async throws {
        let data = TemporaryDirectory()
        var acknowledged: UInt64 = 0
        for count in [1, 3] {
            let run = try await self.runChild(data, seed: UInt64(count), crashPoint: "\(point.name):\(count)", batches: 2000)
            #expect(run.status == 128 + SIGABRT,
                    "\(point) reached the \(count)th time aborts the child")
            acknowledged = max(acknowledged, run.acknowledged)
            try self.verify(data, acknowledged: acknowledged, "\(point):\(count)")
        }
        let finish = try await self.runChild(data, seed: 7, batches: 5)
        #expect(finish.status == 0)
        try self.verify(data, acknowledged: finish.acknowledged, "\(point): appendable afterwards")
    }
}
