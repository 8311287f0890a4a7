import Glibc
import Synchronization

/// A named place in the I/O path where a fault-injection test can make the process die, as etcd's
/// gofail markers do. Every point is inert until a test binary calls ``armFromEnvironment()``: the
/// shipped `etcd` never does, so `CRASH_POINT` means nothing to it (etcd compiles its failpoints out of
/// releases; ours stay in the code as one atomic load and are armed only by the crash tests' children).
///
/// Once armed, `CRASH_POINT=<name>` aborts the first time the point is reached, `CRASH_POINT=<name>:<n>`
/// the n-th time. Other modules may declare their own points with ``init(_:)``. Safe from any thread.
public struct CrashPoint: Sendable, Hashable, CustomStringConvertible {
    /// The variable that names the point to arm.
    public static let environmentVariable = "CRASH_POINT"

    /// Just before a WAL save writes anything.
    public static let walBeforeSave = CrashPoint("walBeforeSave")
    /// Just after a WAL save made its batch durable, before it returns.
    public static let walAfterSave = CrashPoint("walAfterSave")
    /// Just before a new segment is prepared.
    public static let walBeforeCut = CrashPoint("walBeforeCut")
    /// Just after a new segment was renamed into place and its directory synced.
    public static let walAfterCut = CrashPoint("walAfterCut")
    /// Just before a snapshot file is written.
    public static let snapBeforeSave = CrashPoint("snapBeforeSave")
    /// Just after a snapshot file was renamed into place and its directory synced.
    public static let snapAfterSave = CrashPoint("snapAfterSave")

    /// Every point this module declares.
    public static let walPoints: [CrashPoint] = [
        .walBeforeSave, .walAfterSave, .walBeforeCut, .walAfterCut, .snapBeforeSave, .snapAfterSave,
    ]

    /// The point's name, as written in ``environmentVariable``.
    public let name: String

    /// Declares a point.
    public init(_ name: String) {
        self.name = name
    }

    public var description: String { self.name }

    /// Arms the point that ``environmentVariable`` names, if any. Only crash-test binaries call this, once,
    /// before their work starts. Stops the process when the variable's count is not a positive integer.
    public static func armFromEnvironment() {
        guard let raw = getenv(Self.environmentVariable) else { return }
        let text = String(cString: raw)
        guard !text.isEmpty else { return }
        let parts = text.split(separator: ":", maxSplits: 1)
        guard let count = parts.count == 2 ? Int(parts[1]) : 1, count > 0 else {
            preconditionFailure("\(Self.environmentVariable)=\(text): count must be a positive integer")
        }
        armedCrashPoint.withLock { $0 = ArmedCrashPoint(name: String(parts[0]), count: count) }
        crashPointArmed.store(true, ordering: .releasing)
    }

    /// Aborts the process if this point is armed and its countdown reaches zero; otherwise does nothing.
    @inline(__always)
    public func reach() {
        guard crashPointArmed.load(ordering: .acquiring) else { return }
        guard let armed = armedCrashPoint.withLock({ $0 }), armed.name == self.name else { return }
        if armed.countdown.subtract(1, ordering: .relaxed).newValue == 0 {
            let message = "crash point \(self.name) reached: aborting\n"
            _ = message.withCString { write(2, $0, strlen($0)) }
            abort()
        }
    }
}

/// The armed point, with how many more times it may be reached.
private final class ArmedCrashPoint: Sendable {
    let name: String
    let countdown: Atomic<Int>

    init(name: String, count: Int) {
        self.name = name
        self.countdown = Atomic(count)
    }
}

private let crashPointArmed = Atomic<Bool>(false)
private let armedCrashPoint = Mutex<ArmedCrashPoint?>(nil)
