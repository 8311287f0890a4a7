import EtcdProto
import Backend
import Foundation
import Lease
import MVCC
import StorageTestSupport

/// The crash tests' child: opens the store at the path given, then applies `CrashWorkload` batches from
/// the one after its consistent index on, committing at random batch boundaries (every `commit-every`
/// batches at most, and whenever the backend's batch is due). After each commit it prints
/// "committed <batch>". It runs until it is killed, or, given a crash point, aborts there: right before
/// its nth explicit backend commit (`before-commit:n`) or right after it (`after-commit:n`, once
/// reported); commits the backend's batch policy makes on its own are not counted.
///
/// Usage: StorageCrashChild <data file> <seed> [before-commit:n | after-commit:n]
let arguments = CommandLine.arguments
let crashPoint = arguments.count == 4 ? arguments[3].split(separator: ":").map(String.init) : nil
guard arguments.count == 3 || arguments.count == 4, let seed = UInt64(arguments[2]),
    crashPoint.map({ $0.count == 2 && ["before-commit", "after-commit"].contains($0[0]) && Int($0[1]) != nil }) ?? true
else {
    FileHandle.standardError.write(Data("usage: StorageCrashChild <data file> <seed> [before-commit:n | after-commit:n]\n".utf8))
    exit(2)
}
var commits = 0

/// Aborts the process if the crash point names this moment of commit number `commit`.
func crashIfAt(_ moment: String, commit: Int) {
    if let crashPoint, crashPoint[0] == moment, Int(crashPoint[1]) == commit {
        abort()
    }
}

func report(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

do {
    var configuration = BackendConfiguration(path: arguments[1], quotaBytes: 64 * 1024 * 1024)
    configuration.batchInterval = .milliseconds(20)
    let backend = try Backend(configuration: configuration)
    let store = try KVStore(backend: backend, leases: try LeaseIndex(backend: backend))
    let applier = KVApplier(store: store)
    var batch = store.consistentIndex.index
    report("opened \(batch)")
    var random = seed | 1
    while true {
        batch += 1
        for operation in CrashWorkload.batch(batch, currentRevision: store.currentRevision) {
            switch operation {
            case .put(let request): _ = try applier.put(request)
            case .delete(let request): _ = try applier.deleteRange(request)
            case .txn(let request): _ = try applier.txn(request)
            case .compact(let revision): _ = applier.compaction({ var r = Etcdserverpb_CompactionRequest(); r.revision = revision; return r }())
            }
        }
        store.setConsistentIndex(batch, term: 1)
        random ^= random << 13
        random ^= random >> 7
        random ^= random << 17
        if random % 8 == 0 {
            commits += 1
            crashIfAt("before-commit", commit: commits)
            try store.commit()
            report("committed \(batch)")
            crashIfAt("after-commit", commit: commits)
        } else if try backend.writer.commitIfDue() {
            report("committed \(batch)")
        }
        if store.hasPendingMaintenance {
            try store.runMaintenance()
        }
    }
} catch {
    FileHandle.standardError.write(Data("StorageCrashChild: \(error)\n".utf8))
    exit(1)
}
