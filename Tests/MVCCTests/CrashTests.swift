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

    @Test func killedMidBatchTheStoreReopensAtACommittedBatchBoundary() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crash-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/db"
        #expect(FileManager.default.isExecutableFile(atPath: Self.childPath), "build the StorageCrashChild product first")

        var model = ModelApplier()
        var appliedBatches: UInt64 = 0
        var random = SplitMix64(seed: 42)
        for cycle in 0..<Self.cycles {
            let output = try runAndKill(path: path, seed: random.next(), delayMilliseconds: random.next() % Self.maxKillDelayMilliseconds)
            #expect(output.errors.isEmpty, "child failed: \(output.errors)")
            let backend = try Backend(configuration: BackendConfiguration(path: path, quotaBytes: 64 * 1024 * 1024))
            let store = try KVStore(backend: backend, leases: try LeaseIndex(backend: backend))
            let applier = KVApplier(store: store)
            let index = store.consistentIndex.index
            #expect(index >= output.lastCommitted ?? 0, "cycle \(cycle): a reported commit was lost")
            #expect(index >= appliedBatches, "cycle \(cycle): the consistent index went back")
            let firstNewRevision = model.model.currentRevision + 1
            while appliedBatches < index {
                appliedBatches += 1
                apply(CrashWorkload.batch(appliedBatches, currentRevision: model.model.currentRevision), to: &model)
            }
            #expect(store.currentRevision == model.model.currentRevision, "cycle \(cycle)")
            #expect(store.compactedRevision == model.model.compactedRevision, "cycle \(cycle)")
            let oldest = max(model.model.compactedRevision, 1)
            var revisions = Set(max(firstNewRevision - 1, oldest)...model.model.currentRevision)
            for _ in 0..<10 {
                revisions.insert(oldest + Int64(random.next() % UInt64(model.model.currentRevision - oldest + 1)))
            }
            for revision in revisions.sorted() {
                var request = Etcdserverpb_RangeRequest()
                request.key = Data([0])
                request.rangeEnd = Data([0])
                request.revision = revision
                let actual = Result { () throws(KVError) in try applier.range(request) }
                #expect(actual == model.range(request), "cycle \(cycle), revision \(revision)")
            }
            store.close()
            backend.close()
        }
        #expect(appliedBatches > UInt64(Self.cycles), "the child made progress between kills")
    }

    private func apply(_ operations: [CrashWorkload.Operation], to model: inout ModelApplier) {
        for operation in operations {
            switch operation {
            case .put(let request): _ = model.put(request)
            case .delete(let request): _ = model.deleteRange(request)
            case .txn(let request): _ = model.txn(request)
            case .compact(let revision): _ = model.compact(revision)
            }
        }
    }

    private struct ChildOutput {
        var lastCommitted: UInt64?
        var errors: String
    }

    /// Starts the child on `path`, lets it run for `delayMilliseconds` after it opened the store, then
    /// kills it with SIGKILL and returns what it reported.
    private func runAndKill(path: String, seed: UInt64, delayMilliseconds: UInt64) throws -> ChildOutput {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.childPath)
        process.arguments = [path, String(seed)]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let reader = LineCollector(output.fileHandleForReading)
        _ = reader.waitForLine(prefix: "opened", timeout: .seconds(30))
        usleep(useconds_t(delayMilliseconds * 1000))
        kill(process.processIdentifier, SIGKILL)
        _ = ProcessExit.wait(for: process)
        let lines = reader.finish()
        let committed = lines.compactMap { line -> UInt64? in
            guard line.hasPrefix("committed ") else { return nil }
            return UInt64(line.dropFirst("committed ".count))
        }
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return ChildOutput(lastCommitted: committed.max(), errors: errorText)
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
