// A child process for the crash tests: it opens (or creates) the storage in a directory the way a member
// does, then appends batches forever, printing `durable <index>` after every save that returned, until
// it is killed or a crash point (CRASH_POINT) aborts it.
//
// Usage: WALCrashChild <data directory> <segment bytes> <seed> [<batches>]
import Glibc
import Raft
import WAL

/// Writes a line straight to file descriptor 1, so nothing sits in a buffer when the process dies.
func emit(_ line: String) {
    var bytes = Array((line + "\n").utf8)
    var written = 0
    while written < bytes.count {
        let n = bytes.withUnsafeMutableBytes { write(1, $0.baseAddress! + written, $0.count - written) }
        precondition(n > 0, "stdout closed")
        written += n
    }
    bytes.removeAll()
}

/// The bytes every crash test writes at `index` (the parent checks them).
func payload(at index: UInt64) -> [UInt8] {
    let length = Int((index &* 2_654_435_761) % 300)
    return (0..<length).map { UInt8(truncatingIfNeeded: index &* 31 &+ UInt64($0) &* 7 &+ 1) }
}

var noCore = rlimit(rlim_cur: 0, rlim_max: 0)
setrlimit(Int32(RLIMIT_CORE.rawValue), &noCore)
CrashPoint.armFromEnvironment()

let arguments = CommandLine.arguments
guard arguments.count >= 4, let segmentBytes = Int64(arguments[2]), var state = UInt64(arguments[3]) else {
    emit("usage: WALCrashChild <data directory> <segment bytes> <seed> [<batches>]")
    exit(2)
}
let batchLimit = arguments.count > 4 ? Int(arguments[4]) ?? Int.max : Int.max
let walDirectory = arguments[1] + "/wal"
let options = WALOptions(segmentSizeBytes: segmentBytes)

func nextRandom(below bound: UInt64) -> UInt64 {
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return (state >> 33) % bound
}

do {
    let snapshotter = try Snapshotter(directory: arguments[1] + "/snap")
    let wal: WAL
    if WAL.exists(directory: walDirectory) {
        let markers = try WAL.snapshotMarkers(directory: walDirectory)
        let newest = try snapshotter.loadNewest { metadata in
            markers.contains { $0.index == metadata.index && $0.term == metadata.term }
        }
        let marker = newest.snapshot.map { SnapshotMarker($0.metadata) } ?? .start
        wal = try WAL.open(directory: walDirectory, from: marker, options: options).wal
    } else {
        wal = try WAL.create(directory: walDirectory, metadata: WALMetadata(memberID: 1, clusterID: 2), options: options)
    }
    emit("ready \(wal.lastIndex)")
    for batch in 0..<batchLimit {
        if batch % 15 == 14 {
            let index = wal.lastIndex
            let metadata = SnapshotMetadata(index: index, term: 1, confState: ConfState(voters: [1]))
            snapshotter.save(Snapshot(metadata: metadata, data: Array("state at \(index)".utf8)))
            wal.saveSnapshotMarker(SnapshotMarker(metadata))
            try wal.release(upTo: index)
            try snapshotter.purge()
        }
        let first = wal.lastIndex + 1
        let last = first + nextRandom(below: 32)
        let entries = (first...last).map { Entry(term: 1, index: $0, data: payload(at: $0)) }
        wal.save(hardState: HardState(term: 1, vote: 1, commit: last), entries: entries)
        emit("durable \(last)")
    }
    wal.close()
} catch {
    emit("error \(error)")
    exit(1)
}
