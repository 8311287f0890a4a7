/// The workload models of etcdctl's `check perf` and `check datascale`, by `--load` name.
struct CheckWorkload: Sendable {
    /// Requests per second (perf) or key-values written in all (datascale).
    let limit: Int
    /// Concurrent clients, each with its own connection.
    let clients: Int
    /// How long perf writes, in seconds.
    let seconds: Int

    /// `check perf`'s models: a rate for one minute.
    static let perf: [String: CheckWorkload] = [
        "s": CheckWorkload(limit: 150, clients: 50, seconds: 60),
        "m": CheckWorkload(limit: 1000, clients: 200, seconds: 60),
        "l": CheckWorkload(limit: 8000, clients: 500, seconds: 60),
        "xl": CheckWorkload(limit: 15000, clients: 1000, seconds: 60),
    ]

    /// `check datascale`'s models: a number of 1 KiB key-values.
    static let datascale: [String: CheckWorkload] = [
        "s": CheckWorkload(limit: 10000, clients: 50, seconds: 0),
        "m": CheckWorkload(limit: 100_000, clients: 200, seconds: 0),
        "l": CheckWorkload(limit: 1_000_000, clients: 500, seconds: 0),
        "xl": CheckWorkload(limit: 3_000_000, clients: 1000, seconds: 0),
    ]

    /// The model `--load` names (short or long name) in `models`; etcdctl's refusal otherwise.
    static func named(_ load: String, in models: [String: CheckWorkload]) throws(CommandError) -> CheckWorkload {
        let aliases = ["s": "s", "small": "s", "m": "m", "medium": "m", "l": "l", "large": "l", "xl": "xl", "xLarge": "xl"]
        guard let model = aliases[load].flatMap({ models[$0] }) else {
            throw CommandError(.badFeature, "unknown load option \(load)")
        }
        return model
    }
}
