import Synchronization

/// Set once to tell the clients of a run to finish the request they are in and stop.
public final class StopFlag: Sendable {
    private let flag = Atomic(false)

    public init() {}

    public func set() {
        self.flag.store(true, ordering: .relaxed)
    }

    public var isSet: Bool { self.flag.load(ordering: .relaxed) }
}
