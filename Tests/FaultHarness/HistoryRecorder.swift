import HistoryCheck
import Synchronization

/// Collects the operations the clients of a run made, on one monotonic clock that starts with the recorder.
public final class HistoryRecorder: Sendable {
    public typealias Op = Operation<KVRequest, KVResponse>

    private let start = ContinuousClock.now
    private let operations = Mutex<[Op]>([])

    public init() {}

    /// Nanoseconds since the recorder was made.
    public func now() -> UInt64 {
        let elapsed = ContinuousClock.now - self.start
        return UInt64(elapsed.components.seconds) * 1_000_000_000 + UInt64(elapsed.components.attoseconds / 1_000_000_000)
    }

    public func record(_ operation: Op) {
        self.operations.withLock { $0.append(operation) }
    }

    /// Every operation recorded so far.
    public var history: [Op] { self.operations.withLock { $0 } }
}
