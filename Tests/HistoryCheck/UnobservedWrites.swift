/// Drops the writes that got no answer and whose values no one ever saw, before the linearizability
/// search: each such write may or may not have taken effect, which doubles the orders to try, and a
/// history of faults has hundreds of them. Dropping one changes no verdict as long as every value written
/// is unique and every transaction's failure branch reads the keys it compared (so a comparison that
/// failed because of the dropped write would have shown its value): then a linearization in which the
/// write took effect stays one without it, since nothing that followed depended on its value.
public enum UnobservedWrites {
    public typealias Op = Operation<KVRequest, KVResponse>

    /// `history` without its unanswered writes of values that no answered read, no successful comparison
    /// and no watch event shows. Unanswered deletes are kept (an absent key shows nothing unique).
    public static func prune(_ history: [Op], watches: [WatchLog]) -> [Op] {
        var observed: Set<Pair> = []
        for operation in history {
            guard let output = operation.output else { continue }
            let branch = output.succeeded ? operation.input.success : operation.input.failure
            let gets = branch.compactMap { op -> String? in if case .get(let key) = op { key } else { nil } }
            for (key, value) in zip(gets, output.reads) {
                if let value { observed.insert(Pair(key: key, value: value)) }
            }
            if output.succeeded {
                for compare in operation.input.compares {
                    if let value = compare.value { observed.insert(Pair(key: compare.key, value: value)) }
                }
            }
        }
        for watch in watches {
            for event in watch.events {
                if let value = event.value { observed.insert(Pair(key: event.key, value: value)) }
            }
        }
        return history.filter { operation in
            guard operation.output == nil else { return true }
            let writes = operation.input.writes(succeeded: true) + operation.input.writes(succeeded: false)
            guard !writes.isEmpty else { return true }
            return writes.contains { write in
                guard let value = write.value else { return true }
                return observed.contains(Pair(key: write.key, value: value))
            }
        }
    }

    private struct Pair: Hashable {
        let key: String
        let value: String
    }
}
