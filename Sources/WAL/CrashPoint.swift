import Glibc
import Synchronization

/// A named place in the I/O path where a fault-injection test can make the process die, as etcd's
/// gofail markers do. Inert unless the environment variable ``environmentVariable`` names the point:
/// `CRASH_POINT=<name>` aborts the first time the point is reached, `CRASH_POINT=<name>:<n>` the n-th
/// time. The variable is read once, at the first ``reach()`` of any point.
///
/// Other modules may declare their own points with ``init(_:)``. Safe from any thread.
public struct CrashPoint: Sendable, Hashable, CustomStringConvertible {
    /// The variable that arms one crash point.
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

    /// Aborts the process if this point is armed and its countdown reaches zero; otherwise does nothing.
    @inline(__always)
    public func reach() {
        guard let armed = armedCrashPoint, armed.name == self.name else { return }
        if armed.countdown.subtract(1, ordering: .relaxed).newValue == 0 {
            let message = "crash point \(self.name) reached: aborting\n"
            _ = message.withCString { write(2, $0, strlen($0)) }
            abort()
        }
    }
}

/// The point named by the environment, with how many more times it may be reached.
private final class ArmedCrashPoint: Sendable {
    let name: String
    let countdown: Atomic<Int>

    init(name: String, count: Int) {
        self.name = name
        self.countdown = Atomic(count)
    }
}

private let armedCrashPoint: ArmedCrashPoint? = {
    guard let raw = getenv(CrashPoint.environmentVariable) else { return nil }
    let text = String(cString: raw)
    guard !text.isEmpty else { return nil }
    let parts = text.split(separator: ":", maxSplits: 1)
    let count = parts.count == 2 ? Int(parts[1]) : 1
    precondition(count != nil && count! > 0, "\(CrashPoint.environmentVariable)=\(text): count must be a positive integer")
    return ArmedCrashPoint(name: String(parts[0]), count: count!)
}()
