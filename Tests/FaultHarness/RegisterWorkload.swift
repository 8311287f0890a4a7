import EtcdClient
import HistoryCheck
import Raft

/// Clients working on registers while faults happen: puts of values no one wrote before, reads,
/// compare-and-sets against the value the client last saw, and two-key transactions within a pair of
/// keys (pairs keep the checker's partitions small). Every comparison that fails reads the keys it
/// compared, so that unanswered writes no one saw may be pruned (``UnobservedWrites``). Each client runs
/// one request at a time and records it, answered or not.
public struct RegisterWorkload: Sendable {
    /// How many key pairs, named `reg/<pair>/a` and `reg/<pair>/b`.
    public var pairs = 4
    /// How long a request may take before its outcome counts as unknown.
    public var requestTimeout: Duration = .seconds(2)
    /// Reads with `serializable` (the member's own state): the stale-read canary.
    public var serializableReads = false

    public init() {}

    /// Every register key.
    public var keys: [String] {
        (0..<self.pairs).flatMap { ["reg/\($0)/a", "reg/\($0)/b"] }
    }

    /// Runs client number `client` through `etcd` until `stop` is set, drawing requests from `seed`.
    public func run(client: Int, etcd: EtcdClient, seed: UInt64, recorder: HistoryRecorder, stop: StopFlag) async {
        var random = SplitMix64(seed: seed)
        var lastSeen: [String: String] = [:]
        var written = 0
        while !stop.isSet {
            let pair = random.below(self.pairs)
            let key = random.below(2) == 0 ? "reg/\(pair)/a" : "reg/\(pair)/b"
            func fresh() -> String {
                written += 1
                return "c\(client).\(written)"
            }
            let request: KVRequest
            switch random.below(10) {
            case 0..<3:
                request = .put(key, fresh())
            case 3..<6:
                request = .get(key, serializable: self.serializableReads)
            case 6..<9:
                request = KVRequest(
                    compares: [KVRequest.Compare(key: key, value: lastSeen[key])],
                    success: [.put(key: key, value: fresh())], failure: [.get(key: key)]
                )
            default:
                let keys = ["reg/\(pair)/a", "reg/\(pair)/b"]
                let value = fresh()
                request = KVRequest(
                    compares: keys.map { KVRequest.Compare(key: $0, value: lastSeen[$0]) },
                    success: keys.map { .put(key: $0, value: value) }, failure: keys.map { .get(key: $0) }
                )
            }
            let call = recorder.now()
            do {
                let response = try await KVExecution.run(request, on: etcd, timeout: self.requestTimeout)
                recorder.record(Operation(client: client, input: request, call: call, output: response, returned: recorder.now()))
                let branch = response.succeeded ? request.success : request.failure
                var reads = response.reads.makeIterator()
                for op in branch {
                    switch op {
                    case .put(let key, let value): lastSeen[key] = value
                    case .get(let key): lastSeen[key] = reads.next() ?? nil
                    case .delete(let key): lastSeen[key] = nil
                    }
                }
            } catch {
                recorder.record(Operation(client: client, input: request, call: call, output: nil, returned: nil))
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
    }
}
