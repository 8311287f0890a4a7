/// etcd's revision promises over answered key-value operations, whichever member answered: every
/// transaction that wrote has a revision of its own, and revisions follow real time (an operation called
/// after another was answered is answered at that revision or later, and a write at a later one).
/// Serializable reads may lag and are left out.
public enum RevisionChecks {
    public typealias Op = Operation<KVRequest, KVResponse>

    public static func check(_ history: [Op], model: KeyValueModel = KeyValueModel()) -> [Anomaly] {
        let answered = history.filter { $0.output != nil && $0.returned != nil && !$0.input.serializable }
        var anomalies: [Anomaly] = []

        var writers: [Int64: Op] = [:]
        for operation in answered where Self.putsSomething(operation) {
            let revision = operation.output!.revision
            if let other = writers[revision] {
                anomalies.append(Anomaly(kind: "two writes at revision \(revision)", excerpt: [model.describe(other), model.describe(operation)]))
            } else {
                writers[revision] = operation
            }
        }

        // Sweep calls in time order, with the highest revision answered before each call.
        let byAnswer = answered.sorted { $0.returned! < $1.returned! }
        var highest: Op?
        var next = 0
        for operation in answered.sorted(by: { $0.call < $1.call }) {
            while next < byAnswer.count, byAnswer[next].returned! < operation.call {
                if highest == nil || byAnswer[next].output!.revision > highest!.output!.revision { highest = byAnswer[next] }
                next += 1
            }
            guard let earlier = highest else { continue }
            let revision = operation.output!.revision
            let floor = earlier.output!.revision
            if revision < floor || (revision == floor && Self.putsSomething(operation)) {
                anomalies.append(Anomaly(
                    kind: "revision went back in real time: \(revision) after \(floor) was answered",
                    excerpt: [model.describe(earlier), model.describe(operation)]
                ))
            }
        }
        return anomalies
    }

    /// Whether the answered branch of `operation` puts a key (a put always makes a revision; a delete only
    /// when the key existed).
    public static func putsSomething(_ operation: Op) -> Bool {
        guard let output = operation.output else { return false }
        return operation.input.writes(succeeded: output.succeeded).contains { $0.value != nil }
    }
}
