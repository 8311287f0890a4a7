import Backend
import EtcdProto
import Foundation
import Lease
import MVCC

/// Storage figures for REPORT.md: MVCC put throughput under several commit policies, range throughput,
/// and open time and memory with a million keys, for the in-memory and the persisted key index.
///
///     swift run -c release StorageBenchmark [--keys N]     every figure (N keys, default 1,000,000)
///     StorageBenchmark open <data file> <memory|persisted>  open only, in a fresh process (used by the above)
///     StorageBenchmark dataset <data file> <memory|persisted> [--keys N]   build the range dataset only
///     StorageBenchmark ranges <data file> <memory|persisted> [--keys N]    range figures on a built dataset
let arguments = CommandLine.arguments
if arguments.count == 4, arguments[1] == "open", let kind = KeyIndexKind(rawValue: arguments[3]) {
    try OpenProbe.run(path: arguments[2], kind: kind)
    exit(0)
}
var keyCount = 1_000_000
if let position = arguments.firstIndex(of: "--keys"), position + 1 < arguments.count, let count = Int(arguments[position + 1]) {
    keyCount = count
}
if arguments.count >= 4, arguments[1] == "ranges", let kind = KeyIndexKind(rawValue: arguments[3]) {
    try Benchmark(keyCount: keyCount).rangeThroughput(path: arguments[2], kind: kind)
    exit(0)
}
if arguments.count >= 4, arguments[1] == "dataset", let kind = KeyIndexKind(rawValue: arguments[3]) {
    _ = try Benchmark(keyCount: keyCount).buildDataset(kind: kind, path: arguments[2])
    exit(0)
}
try Benchmark(keyCount: keyCount).run()
