/// Decides whether a history is linearizable with respect to a ``Model``: Wing and Gong's search with Lowe's
/// cache of (operations linearized, state) pairs already explored, run on each partition of the history
/// separately, as porcupine does.
public struct LinearizabilityChecker<M: Model>: Sendable {
    public typealias Op = Operation<M.Input, M.Output>

    /// What the check found for the whole history.
    public struct Verdict: Sendable {
        /// The partitions that are not linearizable, each with the shortest prefix (by call time) of its
        /// operations that is not.
        public var violations: [[Op]]
        public var partitions: Int
        public var operations: Int
        public var isLinearizable: Bool { self.violations.isEmpty }
    }

    public let model: M

    public init(model: M) {
        self.model = model
    }

    /// Checks every partition of `history`.
    public func check(_ history: [Op]) -> Verdict {
        let partitions = self.model.partition(history)
        var violations: [[Op]] = []
        for partition in partitions where !self.isLinearizable(partition) {
            violations.append(self.shortestViolatingPrefix(partition))
        }
        return Verdict(violations: violations, partitions: partitions.count, operations: history.count)
    }

    /// The shortest prefix, by call time, of `operations` (not linearizable) that is not linearizable. An
    /// operation called later cannot explain an answer that came before it was called, so a prefix that fails
    /// stays failing as it grows: a binary search finds the shortest. Operations answered after the last
    /// call of the prefix count as unanswered in it.
    func shortestViolatingPrefix(_ operations: [Op]) -> [Op] {
        let sorted = operations.sorted { $0.call < $1.call }
        func prefix(_ count: Int) -> [Op] {
            let cut = sorted[count - 1].call
            return sorted.prefix(count).map { operation in
                guard let returned = operation.returned, returned <= cut else {
                    return Op(client: operation.client, input: operation.input, call: operation.call, output: nil, returned: nil)
                }
                return operation
            }
        }
        var low = 1
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if self.isLinearizable(prefix(middle)) { low = middle + 1 } else { high = middle }
        }
        return prefix(low)
    }

    /// Whether one partition's operations can be ordered, each at a point between its call and its answer
    /// (or any time after its call when unanswered), so that the model explains every answer.
    public func isLinearizable(_ operations: [Op]) -> Bool {
        var search = Search(model: self.model, operations: operations)
        return search.run()
    }
}

/// The search over one partition: the calls and answers as one list in time order, linked both ways so that
/// an operation can be taken out (linearized) and put back (on backtracking) in constant time.
private struct Search<M: Model> {
    let model: M
    let operations: [Operation<M.Input, M.Output>]
    /// Events 0..<n are calls, n..<2n answers, of operation `event % n`.
    var next: [Int]
    var previous: [Int]
    let head: Int
    var linearized: Bitset
    var cache: Set<CacheKey> = []

    struct CacheKey: Hashable {
        let linearized: Bitset
        let state: M.State
    }

    /// A choice made: which call was taken out, the state before it, and which of the states the step allowed
    /// was taken.
    struct Frame {
        let call: Int
        let state: M.State
        let candidates: [M.State]
        let chosen: Int
    }

    init(model: M, operations: [Operation<M.Input, M.Output>]) {
        self.model = model
        self.operations = operations
        let count = operations.count
        // Answers sort after calls at the same time: touching operations count as concurrent.
        let events = (0..<(2 * count)).sorted { left, right in
            let leftTime = Self.time(of: left, in: operations)
            let rightTime = Self.time(of: right, in: operations)
            if leftTime != rightTime { return leftTime < rightTime }
            return (left < count ? 0 : 1, left) < (right < count ? 0 : 1, right)
        }
        // A sentinel at index 2n heads the list.
        let sentinel = 2 * count
        self.next = Array(repeating: -1, count: 2 * count + 1)
        self.previous = Array(repeating: -1, count: 2 * count + 1)
        var last = sentinel
        for event in events {
            self.next[last] = event
            self.previous[event] = last
            last = event
        }
        self.head = sentinel
        self.linearized = Bitset(count: count)
    }

    static func time(of event: Int, in operations: [Operation<M.Input, M.Output>]) -> UInt64 {
        let count = operations.count
        return event < count ? operations[event].call : (operations[event - count].returned ?? .max)
    }

    /// Takes operation `index`'s call and answer out of the list.
    mutating func lift(_ index: Int) {
        for event in [index, index + self.operations.count] {
            let (before, after) = (self.previous[event], self.next[event])
            self.next[before] = after
            if after >= 0 { self.previous[after] = before }
        }
    }

    /// Puts operation `index`'s answer and call back where they were (the reverse of ``lift(_:)``).
    mutating func unlift(_ index: Int) {
        for event in [index + self.operations.count, index] {
            let (before, after) = (self.previous[event], self.next[event])
            self.next[before] = event
            if after >= 0 { self.previous[after] = event }
        }
    }

    mutating func run() -> Bool {
        let count = self.operations.count
        var state = self.model.initial
        var stack: [Frame] = []
        var entry = self.next[self.head]
        var resumeFrom = 0
        while self.next[self.head] >= 0 {
            if entry >= 0 && entry < count {
                let operation = self.operations[entry]
                let candidates = self.model.step(state, operation.input, operation.output)
                var taken = false
                var choice = resumeFrom
                resumeFrom = 0
                while choice < candidates.count {
                    self.linearized.insert(entry)
                    if self.cache.insert(CacheKey(linearized: self.linearized, state: candidates[choice])).inserted {
                        stack.append(Frame(call: entry, state: state, candidates: candidates, chosen: choice))
                        state = candidates[choice]
                        self.lift(entry)
                        entry = self.next[self.head]
                        taken = true
                        break
                    }
                    self.linearized.remove(entry)
                    choice += 1
                }
                if !taken { entry = self.next[entry] }
            } else {
                // An answer reached before its call was linearized (or the list's end): undo the last choice.
                guard let frame = stack.popLast() else { return false }
                state = frame.state
                self.linearized.remove(frame.call)
                self.unlift(frame.call)
                if frame.chosen + 1 < frame.candidates.count {
                    entry = frame.call
                    resumeFrom = frame.chosen + 1
                } else {
                    entry = self.next[frame.call]
                }
            }
        }
        return true
    }
}

/// A fixed-size set of small integers, hashable, for the search's cache.
struct Bitset: Hashable {
    private var words: [UInt64]

    init(count: Int) {
        self.words = Array(repeating: 0, count: (count + 63) / 64)
    }

    mutating func insert(_ index: Int) {
        self.words[index / 64] |= 1 << UInt64(index % 64)
    }

    mutating func remove(_ index: Int) {
        self.words[index / 64] &= ~(1 << UInt64(index % 64))
    }
}
