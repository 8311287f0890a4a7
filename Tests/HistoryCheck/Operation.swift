/// One client operation as a client saw it: what it asked, when it asked (`call`), and, when an answer came,
/// the answer and when (`returned`). An operation without an answer (a timeout, a lost connection) may or
/// may not have taken effect; it is checked both ways.
public struct Operation<Input: Sendable, Output: Sendable>: Sendable {
    /// The client (one operation at a time each) that ran it.
    public var client: Int
    public var input: Input
    /// Nanoseconds on one monotonic clock shared by every client.
    public var call: UInt64
    /// The answer, or nil when none came.
    public var output: Output?
    /// When the answer came, nil when none did.
    public var returned: UInt64?

    public init(client: Int, input: Input, call: UInt64, output: Output?, returned: UInt64?) {
        self.client = client
        self.input = input
        self.call = call
        self.output = output
        self.returned = returned
    }
}
