/// One request of the key-value workloads, as etcd's transaction: comparisons on values, then the success
/// or the failure branch. A plain put, get or delete is a transaction with no comparison and one operation.
public struct KVRequest: Hashable, Sendable, CustomStringConvertible {
    /// One operation of a branch.
    public enum Op: Hashable, Sendable {
        case put(key: String, value: String)
        case get(key: String)
        case delete(key: String)

        var key: String {
            switch self {
            case .put(let key, _), .get(let key), .delete(let key): key
            }
        }
    }

    /// `key`'s value equals `value` (nil: the key does not exist).
    public struct Compare: Hashable, Sendable {
        public var key: String
        public var value: String?

        public init(key: String, value: String?) {
            self.key = key
            self.value = value
        }
    }

    public var compares: [Compare]
    public var success: [Op]
    public var failure: [Op]
    /// Read with `serializable` consistency (the member's own state, possibly stale): the model holds it to
    /// linearizability all the same, which is how a stale read shows; the revision checks leave it out.
    public var serializable: Bool

    public init(compares: [Compare] = [], success: [Op], failure: [Op] = [], serializable: Bool = false) {
        self.compares = compares
        self.success = success
        self.failure = failure
        self.serializable = serializable
    }

    public static func put(_ key: String, _ value: String) -> KVRequest { KVRequest(success: [.put(key: key, value: value)]) }
    public static func get(_ key: String, serializable: Bool = false) -> KVRequest {
        KVRequest(success: [.get(key: key)], serializable: serializable)
    }
    public static func delete(_ key: String) -> KVRequest { KVRequest(success: [.delete(key: key)]) }
    /// Compare-and-set: `key` is set to `new` if its value is `expected` (nil: absent).
    public static func cas(_ key: String, expected: String?, new: String) -> KVRequest {
        KVRequest(compares: [Compare(key: key, value: expected)], success: [.put(key: key, value: new)])
    }

    /// Every key the request reads, compares or writes.
    public var keys: Set<String> {
        Set(self.compares.map(\.key) + (self.success + self.failure).map(\.key))
    }

    /// Whether no branch writes.
    public var isReadOnly: Bool {
        (self.success + self.failure).allSatisfy { if case .get = $0 { true } else { false } }
    }

    /// The writes of the branch that ran (`succeeded`): the keys each sets (a value) or deletes (nil).
    public func writes(succeeded: Bool) -> [(key: String, value: String?)] {
        (succeeded ? self.success : self.failure).compactMap { op in
            switch op {
            case .put(let key, let value): (key, value)
            case .delete(let key): (key, nil)
            case .get: nil
            }
        }
    }

    public var description: String {
        func text(_ op: Op) -> String {
            switch op {
            case .put(let key, let value): "put(\(key), \(value))"
            case .get(let key): "get(\(key))"
            case .delete(let key): "delete(\(key))"
            }
        }
        if self.compares.isEmpty && self.failure.isEmpty { return self.success.map(text).joined(separator: "; ") }
        let compares = self.compares.map { "\($0.key) == \($0.value ?? "absent")" }.joined(separator: " && ")
        return "if \(compares) then \(self.success.map(text).joined(separator: "; ")) else \(self.failure.map(text).joined(separator: "; "))"
    }
}

/// The answer to a ``KVRequest``: which branch ran, and the value each of its gets returned, in order.
public struct KVResponse: Hashable, Sendable, CustomStringConvertible {
    public var succeeded: Bool
    public var reads: [String?]
    /// The header revision of the answer (checked by ``RevisionChecks``, not by the model).
    public var revision: Int64

    public init(succeeded: Bool = true, reads: [String?] = [], revision: Int64) {
        self.succeeded = succeeded
        self.reads = reads
        self.revision = revision
    }

    public var description: String {
        let reads = self.reads.map { $0 ?? "absent" }.joined(separator: ", ")
        return "\(self.succeeded ? "ok" : "compare failed")\(reads.isEmpty ? "" : " [\(reads)]") @\(self.revision)"
    }
}

/// etcd's key space as a map from keys to values, for registers (put, get, compare-and-set) and
/// transactions over several keys. Partitions are the groups of keys that transactions connect.
public struct KeyValueModel: Model {
    public typealias State = [String: String]

    public init() {}

    public var initial: State { [:] }

    public func step(_ state: State, _ input: KVRequest, _ output: KVResponse?) -> [State] {
        let succeeded = input.compares.allSatisfy { state[$0.key] == $0.value }
        var next = state
        var reads: [String?] = []
        for op in succeeded ? input.success : input.failure {
            switch op {
            case .put(let key, let value): next[key] = value
            case .get(let key): reads.append(next[key])
            case .delete(let key): next[key] = nil
            }
        }
        guard let output else {
            return next == state ? [state] : [next, state]
        }
        guard output.succeeded == succeeded, output.reads == reads else { return [] }
        return [next]
    }

    public func partition(_ operations: [Operation<KVRequest, KVResponse>]) -> [[Operation<KVRequest, KVResponse>]] {
        var groups = UnionFind()
        for operation in operations {
            let keys = operation.input.keys.sorted()
            for key in keys.dropFirst() { groups.union(keys[0], key) }
            if let first = keys.first { groups.union(first, first) }
        }
        var byGroup: [String: [Operation<KVRequest, KVResponse>]] = [:]
        for operation in operations {
            // An unanswered read changes nothing and proves nothing.
            if operation.output == nil && operation.input.isReadOnly { continue }
            guard let key = operation.input.keys.min() else { continue }
            byGroup[groups.root(key), default: []].append(operation)
        }
        return byGroup.keys.sorted().map { byGroup[$0]! }
    }

    public func describe(_ operation: Operation<KVRequest, KVResponse>) -> String {
        let answer = operation.output.map { "\($0)" } ?? "no answer"
        let returned = operation.returned.map(Seconds.text) ?? "never"
        return "client \(operation.client): \(operation.input) -> \(answer)   [\(Seconds.text(operation.call)) .. \(returned)]"
    }
}

/// Groups of strings joined by union, for partitioning keys.
struct UnionFind {
    private var parent: [String: String] = [:]

    mutating func root(_ key: String) -> String {
        var current = key
        while let up = self.parent[current], up != current { current = up }
        var walk = key
        while let up = self.parent[walk], up != current {
            self.parent[walk] = current
            walk = up
        }
        return current
    }

    mutating func union(_ left: String, _ right: String) {
        if self.parent[left] == nil { self.parent[left] = left }
        if self.parent[right] == nil { self.parent[right] = right }
        let (a, b) = (self.root(left), self.root(right))
        if a != b { self.parent[max(a, b)] = min(a, b) }
    }
}
