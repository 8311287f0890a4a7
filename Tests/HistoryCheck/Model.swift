/// A sequential specification the checker holds a concurrent history against, porcupine's shape with
/// non-determinism: a step may leave several possible states (an operation without an answer either took
/// effect or did not), and no state when the answer is impossible from the given state.
public protocol Model: Sendable {
    associatedtype State: Hashable
    associatedtype Input: Sendable
    associatedtype Output: Sendable

    /// The state before any operation.
    var initial: State { get }

    /// The states `state` can become by applying `input` answered by `output` (nil: no answer came); empty
    /// when that answer cannot come from `state`.
    func step(_ state: State, _ input: Input, _ output: Output?) -> [State]

    /// Groups of operations that touch disjoint parts of the state, each checked on its own
    /// (P-compositionality: the history is linearizable when every group is).
    func partition(_ operations: [Operation<Input, Output>]) -> [[Operation<Input, Output>]]

    /// The operation as one line for a report.
    func describe(_ operation: Operation<Input, Output>) -> String
}
