import Foundation
import Synchronization

/// Unique ids for proposals and read requests, built as etcd builds them: the member id's low 16 bits,
/// then the start time in milliseconds (40 bits) and a counter (8 bits) that carries into the time, so
/// ids stay unique across restarts of the member and across members.
final class RequestIDGenerator: Sendable {
    private let prefix: UInt64
    private let suffix: Atomic<UInt64>

    init(memberID: UInt64, now: Date = Date()) {
        self.prefix = (memberID & 0xffff) << 48
        let milliseconds = UInt64(now.timeIntervalSince1970 * 1000) & ((1 << 40) - 1)
        self.suffix = Atomic(milliseconds << 8)
    }

    func next() -> UInt64 {
        let suffix = self.suffix.wrappingAdd(1, ordering: .relaxed).newValue
        return self.prefix | (suffix & ((1 << 48) - 1))
    }
}
