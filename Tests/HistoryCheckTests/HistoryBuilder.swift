import HistoryCheck
import Raft

/// Histories written out by hand for the checker's tests: operations with calls and answers in milliseconds.
struct HistoryBuilder {
    private(set) var operations: [Operation<KVRequest, KVResponse>] = []

    /// Adds `request` by `client`, called at `call` ms and answered with `response` at `returned` ms (nil
    /// response: no answer came).
    mutating func add(_ client: Int, _ request: KVRequest, _ call: UInt64, _ returned: UInt64?, _ response: KVResponse?) {
        self.operations.append(Operation(
            client: client, input: request, call: call * 1_000_000, output: response, returned: response == nil ? nil : returned.map { $0 * 1_000_000 }
        ))
    }
}

/// Valid histories made at random: clients run one operation at a time; each takes effect at a random
/// instant between its call and its answer, in that order on one real map, which gives the answers. Some
/// writes lose their answer (and took effect or not).
enum RandomHistory {
    /// `count` operations by `clients` clients over `keys` keys: puts of unique values, gets, compare-and-sets,
    /// and (with `transactions`) two-key transactions over the first two keys.
    static func make(seed: UInt64, count: Int, clients: Int, keys: Int, transactions: Bool = false, unanswered: Int = 0) -> [Operation<KVRequest, KVResponse>] {
        var random = SplitMix64(seed: seed)
        var cursor = Array(repeating: UInt64(0), count: clients)
        var planned: [(client: Int, request: KVRequest, call: UInt64, effect: UInt64, returned: UInt64, answered: Bool, applied: Bool)] = []
        for index in 0..<count {
            let client = random.below(clients)
            let key = "k\(random.below(keys))"
            let request: KVRequest
            switch random.below(transactions ? 4 : 3) {
            case 0: request = .put(key, "v\(index)")
            case 1: request = .get(key)
            case 2: request = .cas(key, expected: random.below(2) == 0 ? nil : "v\(random.below(max(index, 1)))", new: "v\(index)")
            default:
                request = KVRequest(
                    compares: [KVRequest.Compare(key: "k0", value: random.below(2) == 0 ? nil : "v\(random.below(max(index, 1)))")],
                    success: [.put(key: "k0", value: "v\(index)"), .put(key: "k1", value: "v\(index)")],
                    failure: [.get(key: "k0"), .get(key: "k1")]
                )
            }
            let call = cursor[client] + UInt64(random.below(1_000_000))
            let effect = call + UInt64(random.below(5_000_000))
            let returned = effect + UInt64(random.below(5_000_000))
            cursor[client] = returned + 1
            let answered = index >= unanswered || request.isReadOnly || random.below(3) != 0
            planned.append((client, request, call, effect, returned, answered, answered || random.below(2) == 0))
        }
        var store: [String: String] = [:]
        var revision: Int64 = 1
        var answers: [Int: KVResponse] = [:]
        for (index, operation) in planned.enumerated().sorted(by: { $0.element.effect < $1.element.effect }) where operation.applied {
            let request = operation.request
            let succeeded = request.compares.allSatisfy { store[$0.key] == $0.value }
            var reads: [String?] = []
            var wrote = false
            for op in succeeded ? request.success : request.failure {
                switch op {
                case .put(let key, let value): store[key] = value; wrote = true
                case .get(let key): reads.append(store[key])
                case .delete(let key): store[key] = nil
                }
            }
            if wrote { revision += 1 }
            answers[index] = KVResponse(succeeded: succeeded, reads: reads, revision: revision)
        }
        return planned.enumerated().map { index, operation in
            Operation(
                client: operation.client, input: operation.request, call: operation.call,
                output: operation.answered ? answers[index] : nil, returned: operation.answered ? operation.returned : nil
            )
        }
    }
}
