import Backend
import EtcdProto
import Foundation
import Lease
import MVCC
import ProcessTestSupport
import Raft
import StorageTestSupport
import Testing

/// Kill -9 a child process that applies `CrashWorkload` batches at random moments, reopen its data, and
/// check: the consistent index is at least the last batch the child reported committed, and the store
/// holds exactly the history of batches 1...index (every revision compared with the model, so no batch
/// is half applied and the key index rebuilt on open agrees with the key database). `STORAGE_CRASH_CYCLES=n`
/// runs n cycles instead of the default.
@Suite struct CrashTests {
    static let defaultCycles = 200
    static let maxKillDelayMilliseconds: UInt64 = 300

    static var cycles: Int {
        ProcessInfo.processInfo.environment["STORAGE_CRASH_CYCLES"].flatMap(Int.init) ?? defaultCycles
    }

    private static var childPath: String {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return ((executable as NSString).deletingLastPathComponent as NSString).appendingPathComponent("StorageCrashChild")
    }

    @Test func killedMidBatchTheStoreReopensAtACommittedBatchBoundary() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crash-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/db"
        #expect(FileManager.default.isExecutableFile(atPath: Self.childPath), "build the StorageCrashChild product first")

        var reopened = Reopened()
        var random = SplitMix64(seed: 42)
        for cycle in 0..<Self.cycles {
            let output = try await runChild(path: path, seed: random.next(), killAfterMilliseconds: random.next() % Self.maxKillDelayMilliseconds)
            #expect(output.errors.isEmpty, "child failed: \(output.errors)")
            try reopened.verify(path: path, lastCommitted: output.lastCommitted, random: &random, "cycle \(cycle)")
        }
        #expect(reopened.appliedBatches > UInt64(Self.cycles), "the child made progress between kills")
    }

    /// The child aborts itself right before or right after its nth explicit commit: whatever it reported
    /// committed is there, and the store sits on a batch boundary.
    @Test(arguments: ["before-commit", "after-commit"])
    func abortingAtACommitLosesNothingCommitted(point: String) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crash-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/db"
        var reopened = Reopened()
        var random = SplitMix64(seed: 7)
        for count in [1, 2, 5] {
            let output = try await runChild(path: path, seed: random.next(), crashPoint: "\(point):\(count)")
            #expect(output.status == 128 + SIGABRT, "\(point):\(count) aborts the child: \(output.errors)")
            try reopened.verify(path: path, lastCommitted: output.lastCommitted, random: &random, "\(point):\(count)")
        }
        #expect(reopened.appliedBatches > 0)
    }

    /// What the crashed child's data must hold: the model of every batch up to the store's consistent index.
    private struct Reopened {
        var model = ModelApplier()
        var appliedBatches: UInt64 = 0

        /// Reopens the data at `path` and compares it, at the new revisions and ten random older ones, with
        /// the model advanced to the store's consistent index.
        mutating func verify(path: String, lastCommitted: UInt64?, random: inout SplitMix64, _ context: String) throws {
            let backend = try Backend(configuration: BackendConfiguration(path: path, quotaBytes: 64 * 1024 * 1024))
            let store = try KVStore(backend: backend, leases: try LeaseIndex(backend: backend))
            defer {
                store.close()
                backend.close()
            }
            let applier = KVApplier(store: store)
            let index = store.consistentIndex.index
            #expect(index >= lastCommitted ?? 0, "\(context): a reported commit was lost")
            #expect(index >= self.appliedBatches, "\(context): the consistent index went back")
            let firstNewRevision = self.model.model.currentRevision + 1
            while self.appliedBatches < index {
                self.appliedBatches += 1
                CrashTests.apply(CrashWorkload.batch(self.appliedBatches, currentRevision: self.model.model.currentRevision), to: &self.model)
            }
            #expect(store.currentRevision == self.model.model.currentRevision, "\(context)")
            #expect(store.compactedRevision == self.model.model.compactedRevision, "\(context)")
            let oldest = max(self.model.model.compactedRevision, 1)
            var revisions = Set(max(firstNewRevision - 1, oldest)...self.model.model.currentRevision)
            for _ in 0..<10 {
                revisions.insert(oldest + Int64(random.next() % UInt64(self.model.model.currentRevision - oldest + 1)))
            }
            for revision in revisions.sorted() {
                var request = Etcdserverpb_RangeRequest()
                request.key = Data([0])
                request.rangeEnd = Data([0])
                request.revision = revision
                let actual = Result { () throws(KVError) in try applier.range(request) }
                #expect(actual == self.model.range(request), "\(context), revision \(revision)")
            }
        }
    }

    private static func apply(_ operations: [CrashWorkload.Operation], to model: inout ModelApplier) {
        for operation in operations {
            switch operation {
            case .put(let request): _ = model.put(request)
            case .delete(let request): _ = model.deleteRange(request)
            case .txn(let request): _ = model.txn(request)
            case .compact(let revision): _ = model.compact(revision)
            }
        }
    }

    private struct ChildOutput: Sendable {
        var lastCommitted: UInt64?
        var errors: String
        /// The exit status, 128 + signal when a signal ended the child.
        var status: Int32
    }

    /// Starts the child on `path`; with `killAfterMilliseconds`, kills it with SIGKILL that long after it
    /// opened the store, otherwise waits for it to abort at `crashPoint`. Returns what it reported.
    private func runChild(
        path: String, seed: UInt64, killAfterMilliseconds: UInt64? = nil, crashPoint: String? = nil
    ) async throws -> ChildOutput {
        try await offload {
            try Self.runChildBlocking(path: path, seed: seed, killAfterMilliseconds: killAfterMilliseconds, crashPoint: crashPoint)
        }
    }

    /// `runChild`'s work, on a Dispatch thread: the cooperative threads stay free for the other tests.
    private static func runChildBlocking(
        path: String, seed: UInt64, killAfterMilliseconds: UInt64?, crashPoint: String?
    ) throws -> ChildOutput {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.childPath)
        process.arguments = [path, String(seed)] + (crashPoint.map { [$0] } ?? [])
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let reader = LineCollector(output.fileHandleForReading)
        _ = reader.waitForLine(prefix: "opened", timeout: .seconds(30))
        if let killAfterMilliseconds {
            usleep(useconds_t(killAfterMilliseconds * 1000))
            kill(process.processIdentifier, SIGKILL)
        }
        let status = ProcessExit.wait(for: process)
        let lines = reader.finish()
        let committed = lines.compactMap { line -> UInt64? in
            guard line.hasPrefix("committed ") else { return nil }
            return UInt64(line.dropFirst("committed ".count))
        }
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return ChildOutput(lastCommitted: committed.max(), errors: errorText, status: status)
    }
}

/// Collects a pipe's lines on a background thread, so the child never blocks on a full pipe.
private final class LineCollector: @unchecked Sendable {
    private let condition = NSCondition()
    private var lines: [String] = []
    private var ended = false

    init(_ handle: FileHandle) {
        Thread { [self] in
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...newline)
                    self.condition.lock()
                    self.lines.append(line)
                    self.condition.broadcast()
                    self.condition.unlock()
                }
            }
            self.condition.lock()
            self.ended = true
            self.condition.broadcast()
            self.condition.unlock()
        }.start()
    }

    func waitForLine(prefix: String, timeout: Duration) -> Bool {
        let deadline = Date(timeIntervalSinceNow: Double(timeout.components.seconds))
        condition.lock()
        defer { condition.unlock() }
        while !lines.contains(where: { $0.hasPrefix(prefix) }) {
            if ended || !condition.wait(until: deadline) {
                return false
            }
        }
        return true
    }

    func finish() -> [String] {
        condition.lock()
        defer { condition.unlock() }
        while !ended {
            condition.wait()
        }
        return lines
    }
}
