import Backend
import EtcdProto
import Foundation
import Lease
import MVCC

/// The benchmark driver; see main.swift.
struct Benchmark {
    static let valueBytes = 256
    static let keyBytes = 16
    static let putsUnderPolicy = 200_000
    static let putsOnePerCommit = 400
    static let putsHundredPerCommit = 40_000
    static let singleKeyRanges = 200_000
    static let prefixRanges = 20_000
    static let keysPerPrefix = 100

    let keyCount: Int
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("storage-benchmark-\(UUID().uuidString)").path

    func run() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        emit("storage benchmark: \(Self.valueBytes)-byte values, \(Self.keyBytes)-byte keys, \(ProcessInfo.processInfo.activeProcessorCount) CPUs")
        for kind in KeyIndexKind.allCases {
            emit("\n== key index: \(kind.rawValue)")
            try putThroughput(kind: kind)
            let path = try buildDataset(kind: kind)
            try rangeThroughput(path: path, kind: kind)
            try measureOpen(path: path, kind: kind)
        }
    }

    // MARK: Puts

    private func putThroughput(kind: KeyIndexKind) throws {
        var random = SystemRandomNumberGenerator()
        let policy = try timedPuts(kind: kind, count: Self.putsUnderPolicy, random: &random) { store, _ in
            try store.runMaintenance()
        }
        report("puts/s, batch policy (commit every 100 ms or 10,000 ops)", Double(Self.putsUnderPolicy) / policy)
        let single = try timedPuts(kind: kind, count: Self.putsOnePerCommit, random: &random) { store, _ in
            try store.commit()
        }
        report("puts/s, 1 put per commit (fsync each)", Double(Self.putsOnePerCommit) / single)
        let hundred = try timedPuts(kind: kind, count: Self.putsHundredPerCommit, random: &random) { store, index in
            if index % 100 == 99 {
                try store.commit()
            }
        }
        report("puts/s, 100 puts per commit", Double(Self.putsHundredPerCommit) / hundred)
    }

    private func timedPuts(
        kind: KeyIndexKind, count: Int, random: inout SystemRandomNumberGenerator, after: (KVStore, Int) throws -> Void
    ) throws -> Double {
        let path = directory + "/puts-\(kind.rawValue)-\(count)"
        let backend = try Backend(configuration: BackendConfiguration(path: path))
        defer {
            backend.close()
            try? FileManager.default.removeItem(atPath: path)
            try? FileManager.default.removeItem(atPath: path + "-lock")
        }
        let store = try KVStore(backend: backend, leases: try LeaseIndex(backend: backend), configuration: StoreConfiguration(keyIndex: kind))
        defer { store.close() }
        let applier = KVApplier(store: store)
        let requests = (0..<count).map { _ in putRequest(key: randomKey(&random), random: &random) }
        let started = ContinuousClock.now
        for (index, request) in requests.enumerated() {
            _ = try applier.put(request)
            store.setConsistentIndex(UInt64(index + 1), term: 1)
            try after(store, index)
        }
        try store.commit()
        return seconds(since: started)
    }

    // MARK: Dataset and ranges

    /// `keyCount` keys: prefixes of 13 random hex bytes, each with `keysPerPrefix` keys "/NN".
    func buildDataset(kind: KeyIndexKind, path explicitPath: String? = nil) throws -> String {
        let path = explicitPath ?? directory + "/dataset-\(kind.rawValue)"
        let backend = try Backend(configuration: BackendConfiguration(path: path))
        let store = try KVStore(backend: backend, leases: try LeaseIndex(backend: backend), configuration: StoreConfiguration(keyIndex: kind))
        let applier = KVApplier(store: store)
        var values = DeterministicBytes(seed: 11)
        let started = ContinuousClock.now
        var index: UInt64 = 0
        for prefix in datasetPrefixes() {
            for suffix in 0..<Self.keysPerPrefix {
                index += 1
                var request = Etcdserverpb_PutRequest()
                request.key = Data(prefix + Array(String(format: "/%02d", suffix).utf8))
                request.value = Data(values.bytes(count: Self.valueBytes))
                _ = try applier.put(request)
                store.setConsistentIndex(index, term: 1)
                try store.runMaintenance()
            }
        }
        try store.commit()
        let elapsed = seconds(since: started)
        report("dataset: \(keyCount) puts in \(String(format: "%.1f", elapsed)) s, file", Double(backend.sizeBytes()) / 1_048_576, unit: "MiB")
        store.close()
        backend.close()
        return path
    }

    private func datasetPrefixes() -> [[UInt8]] {
        var generator = DeterministicBytes(seed: 7)
        return (0..<(keyCount / Self.keysPerPrefix)).map { _ in Array(generator.hex(count: Self.keyBytes - 3).utf8) }
    }

    func rangeThroughput(path: String, kind: KeyIndexKind) throws {
        let backend = try Backend(configuration: BackendConfiguration(path: path))
        let store = try KVStore(backend: backend, leases: try LeaseIndex(backend: backend), configuration: StoreConfiguration(keyIndex: kind))
        defer {
            store.close()
            backend.close()
        }
        let applier = KVApplier(store: store)
        let prefixes = datasetPrefixes()
        var random = DeterministicBytes(seed: 5)
        let singleKeys = (0..<Self.singleKeyRanges).map { _ in
            Data(prefixes[Int(random.next() % UInt64(prefixes.count))] + Array(String(format: "/%02d", Int(random.next() % UInt64(Self.keysPerPrefix))).utf8))
        }
        var request = Etcdserverpb_RangeRequest()
        var started = ContinuousClock.now
        var found = 0
        for key in singleKeys {
            request.key = key
            found += try applier.range(request).kvs.count
        }
        precondition(found == Self.singleKeyRanges, "every key read exists")
        report("ranges/s, single key", Double(Self.singleKeyRanges) / seconds(since: started))
        let prefixRequests = (0..<Self.prefixRanges).map { _ -> (Data, Data) in
            let prefix = prefixes[Int(random.next() % UInt64(prefixes.count))]
            return (Data(prefix + [UInt8(ascii: "/")]), Data(prefix + [UInt8(ascii: "0")]))
        }
        started = ContinuousClock.now
        found = 0
        for (key, end) in prefixRequests {
            request.key = key
            request.rangeEnd = end
            found += try applier.range(request).kvs.count
        }
        precondition(found == Self.prefixRanges * Self.keysPerPrefix, "every prefix holds its keys")
        report("ranges/s, \(Self.keysPerPrefix)-key prefix", Double(Self.prefixRanges) / seconds(since: started))
    }

    /// Opens the dataset in a fresh process, so that its memory is the store's alone.
    private func measureOpen(path: String, kind: KeyIndexKind) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        process.arguments = ["open", path, kind.rawValue]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    // MARK: Helpers

    private func randomKey(_ random: inout SystemRandomNumberGenerator) -> [UInt8] {
        (0..<Self.keyBytes).map { _ in UInt8.random(in: 0...255, using: &random) }
    }

    private func putRequest(key: [UInt8], random: inout SystemRandomNumberGenerator) -> Etcdserverpb_PutRequest {
        var request = Etcdserverpb_PutRequest()
        request.key = Data(key)
        request.value = Data((0..<Self.valueBytes).map { _ in UInt8.random(in: 0...255, using: &random) })
        return request
    }
}

func seconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

/// Writes a line to standard output unbuffered, so that figures show up as they are measured.
func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func report(_ label: String, _ value: Double, unit: String = "") {
    let padded = label.padding(toLength: 64, withPad: " ", startingAt: 0)
    emit("\(padded) \(String(format: "%12.0f", value)) \(unit)")
}

/// Reproducible pseudo-random hex strings for the dataset's keys.
struct DeterministicBytes {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    mutating func bytes(count: Int) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(count + 8)
        while result.count < count {
            withUnsafeBytes(of: next()) { result.append(contentsOf: $0) }
        }
        return Array(result.prefix(count))
    }

    mutating func hex(count: Int) -> String {
        let digits = Array("0123456789abcdef")
        return String((0..<count).map { _ in digits[Int(next() % 16)] })
    }
}
