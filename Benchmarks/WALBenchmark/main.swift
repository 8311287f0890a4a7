// WAL throughput against the raw disk, measured on one directory.
//
// Usage: swift run -c release WALBenchmark [<directory>] [<seconds per measurement>]
// Prints: the disk's raw fsync rate (4 KiB write + fdatasync), WAL saves per second with fsync for batches
// of 1, 16 and 256 entries of 256 bytes, the bytes per second, the ratio to the raw rate, and where the
// CPU time of a save goes (protobuf encoding, CRC-32C, replay).
import Checksums
import EtcdProto
import Foundation
import Glibc
import Raft
import SwiftProtobuf
import WAL

let arguments = CommandLine.arguments
let root = arguments.count > 1 ? arguments[1] : FileManager.default.currentDirectoryPath + "/.wal-benchmark"
let secondsPerMeasurement = arguments.count > 2 ? Double(arguments[2]) ?? 3 : 3
let payloadBytes = 256
let clock = ContinuousClock()

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func freshDirectory(_ name: String) -> String {
    let path = root + "/" + name
    try? FileManager.default.removeItem(atPath: path)
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func format(_ value: Double) -> String { String(format: "%.0f", value) }
func formatMB(_ bytesPerSecond: Double) -> String { String(format: "%.2f MB/s", bytesPerSecond / 1e6) }

/// Runs `body` until `secondsPerMeasurement` pass; returns (iterations, elapsed seconds).
func measure(_ body: () -> Void) -> (Int, Double) {
    let start = clock.now
    var iterations = 0
    repeat {
        body()
        iterations += 1
    } while seconds(clock.now - start) < secondsPerMeasurement
    return (iterations, seconds(clock.now - start))
}

/// 4 KiB pwrite + fdatasync in a loop, appending to a new file or overwriting a preallocated one.
func rawSyncRate(preallocated: Bool) -> Double {
    let path = freshDirectory("raw") + "/file"
    let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
    precondition(fd >= 0, "open \(path): \(String(cString: strerror(errno)))")
    defer { close(fd) }
    let fileBytes = 64 * 1_000_000
    if preallocated { precondition(posix_fallocate(fd, 0, off_t(fileBytes)) == 0) }
    let block = [UInt8](repeating: 0xA5, count: 4096)
    var offset = 0
    let (count, elapsed) = measure {
        let written = block.withUnsafeBytes { pwrite(fd, $0.baseAddress!, 4096, off_t(offset)) }
        precondition(written == 4096 && fdatasync(fd) == 0, "raw write failed")
        offset = (offset + 4096) % fileBytes
    }
    return Double(count) / elapsed
}

func makeBatch(from first: UInt64, count: Int) -> [Entry] {
    (0..<UInt64(count)).map { Entry(term: 1, index: first + $0, data: [UInt8](repeating: UInt8(truncatingIfNeeded: first + $0), count: payloadBytes)) }
}

/// Saves batches of `batchSize` entries; returns saves per second.
func walSaveRate(batchSize: Int, unsafeNoFsync: Bool) -> (savesPerSecond: Double, directory: String) {
    let directory = freshDirectory("wal-\(batchSize)-\(unsafeNoFsync)")
    let wal = try! WAL.create(directory: directory + "/wal", metadata: WALMetadata(memberID: 1, clusterID: 1),
                              options: WALOptions(unsafeNoFsync: unsafeNoFsync))
    var batches: [[Entry]] = []
    var next: UInt64 = 1
    for _ in 0..<64 {
        batches.append(makeBatch(from: next, count: batchSize))
        next += UInt64(batchSize)
    }
    var index = 0
    var last: UInt64 = 0
    let (count, elapsed) = measure {
        var batch = batches[index % batches.count]
        let shift = last + 1 - batch[0].index
        for position in batch.indices { batch[position].index += shift }
        last = batch.last!.index
        wal.save(hardState: HardState(term: 1, vote: 1, commit: last), entries: batch)
        index += 1
    }
    wal.close()
    return (Double(count) / elapsed, directory + "/wal")
}

/// Protobuf-encodes a batch as the WAL does (memberpb.Entry per entry); returns microseconds per batch.
func encodingMicroseconds(batchSize: Int) -> Double {
    let batch = makeBatch(from: 1, count: batchSize)
    var sink = 0
    let (count, elapsed) = measure {
        for entry in batch {
            var message = Memberpb_Entry()
            message.term = entry.term
            message.index = entry.index
            message.type = .entryNormal
            message.data = Data(entry.data)
            sink &+= (try! message.serializedBytes() as [UInt8]).count
        }
    }
    precondition(sink > 0)
    return elapsed / Double(count) * 1e6
}

func crcMegabytesPerSecond() -> Double {
    let buffer = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
    var crc: UInt32 = 0
    let (count, elapsed) = measure { crc = CRC32C.update(crc, buffer) }
    precondition(crc != 1)
    return Double(count * buffer.count) / elapsed
}

print("WAL benchmark on \(root) (\(secondsPerMeasurement) s per measurement, \(payloadBytes)-byte payloads)")
print("raw = 4 KiB pwrite + fdatasync appending to a new file, measured just before each WAL row (the disk drifts)")
print("")
print("batch  raw syncs/s  saves/s  entries/s  payload MB/s  saves/raw  encode us/save  save us (no fsync)  encode share")
var replayDirectory = ""
for batchSize in [1, 16, 256] {
    let raw = rawSyncRate(preallocated: false)
    let synced = walSaveRate(batchSize: batchSize, unsafeNoFsync: false)
    let unsynced = walSaveRate(batchSize: batchSize, unsafeNoFsync: true)
    let encode = encodingMicroseconds(batchSize: batchSize)
    let savedMicroseconds = 1e6 / synced.savesPerSecond
    replayDirectory = unsynced.directory
    print(String(format: "%5d  %11.0f  %7.0f  %9.0f  %12.2f  %9.2f  %14.1f  %18.1f  %11.1f%%",
                 batchSize, raw, synced.savesPerSecond, synced.savesPerSecond * Double(batchSize),
                 synced.savesPerSecond * Double(batchSize * payloadBytes) / 1e6, synced.savesPerSecond / raw,
                 encode, 1e6 / unsynced.savesPerSecond, encode / savedMicroseconds * 100))
}
print("")
print("raw disk, 4 KiB pwrite + fdatasync into a fallocated 64 MB file: \(format(rawSyncRate(preallocated: true))) syncs/s")
print("")
print("CRC-32C (slicing-by-8): \(formatMB(crcMegabytesPerSecond()))")
let replayStart = clock.now
let recovery = try WAL.open(directory: replayDirectory, from: .start)
let replaySeconds = seconds(clock.now - replayStart)
print("replay on open: \(recovery.entries.count) entries in \(String(format: "%.3f", replaySeconds)) s (\(format(Double(recovery.entries.count) / replaySeconds)) entries/s)")
recovery.wal.close()
try? FileManager.default.removeItem(atPath: root)
